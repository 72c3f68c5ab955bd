"""One owner for every fact (issue 12): the drafts rule and the site folder's layout are written once."""

from __future__ import annotations

import ast
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import ROOT

from nashra import layout
from nashra.model import Article, Source

SOURCES = sorted((ROOT / "nashra").rglob("*.py"))
# Lines A1's rewrite of pipeline.py replaces; the merge points them at layout.py.


def name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def article(draft: bool) -> Article:
    moment = datetime(2024, 6, 17, tzinfo=UTC)
    return Article("content/articles/a.md", "a", "t", moment, ("x",), "s", Source("n", None), "", 9, draft=draft)


def test_the_drafts_rule_is_one_predicate_of_the_article():
    assert article(draft=False).included(drafts=False) and article(draft=False).included(drafts=True)
    assert not article(draft=True).included(drafts=False) and article(draft=True).included(drafts=True)
    rule = re.compile(r"drafts or not \w+\.draft|\.draft and not \w*drafts")
    written = [name(p) for p in SOURCES if p.name != "model.py" and rule.search(p.read_text(encoding="utf-8"))]
    assert written == [], "use Article.included(drafts)"


# "output" is also a JSON key of the stamp and the spare's manifest: not a name this test can tell.
LAYOUT = {value for key, value in vars(layout).items() if key.isupper() and isinstance(value, str)} - {"output"}
LAYOUT |= {value + "/" for value in LAYOUT}


@pytest.mark.parametrize("path", [p for p in SOURCES if p.name != "layout.py"], ids=name)
def test_folder_names_are_written_only_in_layout(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in LAYOUT
    ]
    assert found == [], f"import the name from nashra/layout.py: {found}"
