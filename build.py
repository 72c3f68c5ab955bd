"""Build the Nashra site: `python build.py [build] [options]`. See README.md."""

import sys

from nashra.cli import main

if __name__ == "__main__":
    sys.exit(main())
