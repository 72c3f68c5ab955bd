"""One owner for every fact (issue 12): the drafts rule and the site folder's layout are written once;
the package's shape: no import cycle, no module over 400 lines, only incremental/ imports the store."""

from __future__ import annotations

import ast
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import ROOT

from nashra import layout
from nashra.model import Article, Scope, Source

SOURCES = sorted((ROOT / "nashra").rglob("*.py"))


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


def test_the_scheduling_rule_is_written_once_and_every_stage_asks_the_scope():
    moment = datetime(2024, 6, 17, tzinfo=UTC)
    due, later = article(draft=False), replace(article(draft=False), date=moment + timedelta(seconds=1))
    assert due.included(drafts=False, now=moment) and not later.included(drafts=False, now=moment)
    assert later.included(drafts=False) and Scope(moment, future=True).includes(later)
    assert not Scope(moment, drafts=True).includes(replace(later, draft=True))
    rule = re.compile(r"\.date\s*(?:<=?|>=?)\s*\w*now\b|\bnow\w*\s*(?:<=?|>=?)\s*\w+\.date\b")
    written = [name(p) for p in SOURCES if p.name != "model.py" and rule.search(p.read_text(encoding="utf-8"))]
    assert written == [], "use Article.included(drafts, now), Scope.includes or model.is_due"
    # Only the link check applies the drafts rule alone (a published article may not link to a draft);
    # every stage choosing the articles of a build asks Scope.includes, which knows the clock too.
    asking = [name(p) for p in SOURCES if "included(drafts)" in p.read_text(encoding="utf-8")]
    assert asking == ["nashra/read/links.py"], "a stage choosing articles asks Scope.includes"


# "output" is also a JSON key of the stamp and the spare's manifest: not a name this test can tell.
LAYOUT = {value for key, value in vars(layout).items() if key.isupper() and isinstance(value, str)} - {"output"}
LAYOUT |= {value + "/" for value in LAYOUT}


@pytest.mark.parametrize("path", [p for p in SOURCES if p.name != "layout.py"], ids=name)
def test_folder_names_are_written_only_in_layout(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    # A bare word as a mapping's key is not a path: Pagefind's files come as {"path": ..., "content": ...}.
    keys = {id(n.slice) for n in ast.walk(tree) if isinstance(n, ast.Subscript) and isinstance(n.slice, ast.Constant)}
    found = [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value in LAYOUT
        and not (id(node) in keys and "/" not in node.value)
    ]
    assert found == [], f"import the name from nashra/layout.py: {found}"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, modules: set[str]) -> set[str]:
    """The package's modules `path` imports, at the top or inside a function."""
    me = module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            target = (f"{base}.{node.module}" if node.module else base) if node.level else node.module
            for alias in node.names:
                found |= {next((t for t in (f"{target}.{alias.name}", target) if t in modules), "")} - {""}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name in modules}
    return found


def test_no_module_imports_itself_through_others():
    modules = {module_name(p): p for p in SOURCES}
    edges = {m: imports(p, set(modules)) for m, p in modules.items()}

    def reaches(start: str) -> bool:
        seen, todo = set(), list(edges[start])
        while todo:
            m = todo.pop()
            if m == start:
                return True
            if m not in seen:
                seen.add(m)
                todo.extend(edges[m])
        return False

    assert [m for m in modules if reaches(m)] == []


def test_no_module_is_over_400_lines():
    assert {name(p): n for p in SOURCES if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400} == {}


def test_only_the_incremental_package_imports_the_store():
    modules = {module_name(p): p for p in SOURCES}
    users = {m for m, p in modules.items() if "nashra.incremental.store" in imports(p, set(modules))}
    assert users and all(m.startswith("nashra.incremental.") for m in users)
