"""One owner for every fact: the site.yml schema, the UI words, the command line's shared parts."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from nashra.model import SiteConfig
from nashra.read.config import KEYS, SETTINGS, parse_config

ROOT = Path(__file__).resolve().parents[1]


def markdown_table(text: str, heading: str) -> list[list[str]]:
    """The rows (cells stripped) of the first table under `heading`, header and rule left out."""
    section = text.split(f"\n{heading}\n", 1)[1]
    rows = []
    for line in section.lstrip("\n").splitlines():
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split(" | ")])
    return rows[2:]


# ---- site.yml: one table of settings ----


def test_readme_site_yml_table_is_the_settings_table():
    rows = markdown_table((ROOT / "README.md").read_text(encoding="utf-8"), "## site.yml")
    assert rows == [[f"`{s.key}`", s.shown_default(), s.doc] for s in SETTINGS]


def test_site_config_has_one_field_per_setting_and_no_defaults_of_its_own():
    fields = dataclasses.fields(SiteConfig)
    assert tuple(f.name for f in fields) == KEYS
    assert all(f.default is dataclasses.MISSING for f in fields)  # the defaults live in SETTINGS alone


def test_every_setting_left_out_takes_its_default():
    defaults = {s.key: s.default for s in SETTINGS}
    assert parse_config("title: t\n") == SiteConfig(**(defaults | {"title": "t"}))
