"""A wheel built from the checkout ships every sub-package, installs in a fresh venv and builds a site.

Everything stays offline: the wheel is built with the running environment's setuptools
(--no-build-isolation), and the fresh venv gets its dependencies from the running environment
through a .pth file, since `venv --system-site-packages` made from inside a venv would give it
the base interpreter's packages, not this environment's. The wheel is installed with --no-index.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
from conftest import ROOT, make_site

# setuptools reads pyproject's `license = "MIT"` (a license expression) from 77 on; the test extras bring it.
SETUPTOOLS_NEEDED = (77, 0)
# What a checkout may hold besides its committed files: none of it belongs in a wheel's source.
# (A site's output/ is left out at the top only: nashra/output/ is a package.)
_NOT_SOURCE_ANYWHERE = shutil.ignore_patterns(
    ".git",
    ".venv*",
    "node_modules",
    ".output-*",
    ".nashra-cache",
    "__pycache__",
    "build",
    "*.egg-info",
    ".pytest_cache",
    ".ruff_cache",
    ".hypothesis",
)


def not_source(folder: str, names: list[str]) -> set[str]:
    ignored = set(_NOT_SOURCE_ANYWHERE(folder, names))
    return ignored | ({"output"} if Path(folder) == ROOT else set())


def setuptools_version() -> tuple[int, ...] | None:
    try:
        return tuple(int(part) for part in metadata.version("setuptools").split(".")[:2])
    except (metadata.PackageNotFoundError, ValueError):
        return None


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, f"{args} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel, built from a copy of the checkout (so no build/ or egg-info lands in the checkout)."""
    found = setuptools_version()
    if found is None or found < SETUPTOOLS_NEEDED:
        pytest.skip(
            f"building the wheel offline needs setuptools>={'.'.join(map(str, SETUPTOOLS_NEEDED))} in this "
            f"environment (found {found}); `python -m pip install -e '.[test]'` installs it"
        )
    work = tmp_path_factory.mktemp("wheel")
    source = work / "checkout"
    shutil.copytree(ROOT, source, symlinks=True, ignore=not_source)
    dist = work / "dist"
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", dist, source, cwd=work)
    (built,) = dist.glob("nashra-*.whl")
    return built


def test_the_wheel_ships_every_module_of_the_package(wheel: Path):
    shipped = set(zipfile.ZipFile(wheel).namelist())
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "nashra").rglob("*.py") if "__pycache__" not in p.parts}
    assert "nashra/read/__init__.py" in modules
    assert modules - shipped == set()
    data = {p.relative_to(ROOT).as_posix() for p in (ROOT / "nashra" / "fonts").iterdir()}  # the cards' fonts
    assert {"nashra/fonts/card-regular.ttf", "nashra/fonts/OFL.txt"} <= data and data - shipped == set()
    assert not [name for name in shipped if name.split("/")[0] in {"tests", "bench", "tools", "content"}]


def test_the_wheel_installs_in_a_fresh_venv_and_builds_a_site(wheel: Path, tmp_path: Path):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    outside = tmp_path / "elsewhere"  # not the checkout: its nashra must not be importable
    outside.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}}
    install = ["install", "--no-deps", "--force-reinstall", "--no-index", wheel]
    run(sys.executable, "-m", "pip", "--python", python, *install, cwd=outside, env=env)
    asked = run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=outside, env=env)
    purelib = Path(asked.stdout.strip())
    # The dependencies, from this environment's package folders (after the install, so pip sees none of them).
    here = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    here |= {p for p in sys.path if p.endswith(("site-packages", "dist-packages"))}
    (purelib / "nashra-test-dependencies.pth").write_text("".join(f"{p}\n" for p in sorted(here)), encoding="utf-8")

    where = run(python, "-c", "import nashra.read.content as m; print(m.__file__)", cwd=outside, env=env).stdout
    assert Path(where.strip()).resolve().is_relative_to(purelib.resolve())
    assert not Path(where.strip()).resolve().is_relative_to(ROOT)

    site = make_site(outside / "site")
    run(env_dir / "bin" / "nashra", "build", "--root", site, cwd=outside, env=env)
    assert (site / "output" / "index.html").is_file()
    assert list((site / "output" / "cards").glob("*.png"))  # drawn with the fonts from the wheel
