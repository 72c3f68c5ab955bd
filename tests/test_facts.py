"""One owner for every fact: the site.yml schema, the UI words, the command line's shared parts."""

from __future__ import annotations

import ast
import dataclasses
import re
from datetime import UTC, datetime
from pathlib import Path

from conftest import build, make_site
from htmltools import find, parse, text

from nashra.cli import COMMANDS, main, parser
from nashra.model import Scope, SiteConfig
from nashra.problems import UsageError
from nashra.read.config import KEYS, SETTINGS, load_config, parse_config
from nashra.read.content import read_content
from nashra.site import build_site
from nashra.words import WORDS

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


# ---- site.py: order and derived values; no date formatting, no Markdown ----


def imported_names(module: str) -> set[str]:
    """Every module and `module.name` a source file of the package imports (relative imports resolved)."""
    path = ROOT / "nashra" / (module.replace(".", "/") + ".py")
    package = ["nashra", *module.split(".")[:-1]]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            origin = ".".join([*base, *(node.module or "").split(".")]).strip(".")
            names.add(origin)
            names.update(f"{origin}.{alias.name}" for alias in node.names)
    return names


def test_dates_are_formatted_in_their_own_module():
    names = imported_names("site")
    assert not {"babel", "babel.dates", "hijridate"} & names
    assert "nashra.dates.date_format" in names
    assert {"babel.dates", "hijridate"} <= imported_names("dates")


def test_site_never_converts_markdown():
    names = imported_names("site")
    assert "nashra.body.prepare" not in names
    assert not {name for name in names if name.endswith((".prepare_body", ".render_markdown"))}


def test_build_site_takes_each_body_word_count_as_prepared(tmp_path, monkeypatch):
    root = make_site(tmp_path / "site")
    config = load_config(root)
    content, problems = read_content(root, config)
    assert not [p for p in problems if p.severity == "error"]

    def refuse(*args):
        raise AssertionError("build_site converted Markdown")

    monkeypatch.setattr("nashra.body.prepare.prepare_body", refuse)
    monkeypatch.setattr("nashra.body.markdown.render_markdown", refuse)
    words = {a.path: 1400 for a in content.articles}  # 10 minutes at 140 words a minute
    site = build_site(config, content, Scope(datetime.now(UTC)), words)
    assert site.entries
    for entry in site.entries:
        if entry.lang == "ar":
            assert entry.reading_time == "10 دقائق للقراءة"


# ---- the command line: one UsageError, one --root ----


def package_trees() -> dict[str, ast.Module]:
    return {
        path.relative_to(ROOT).as_posix(): ast.parse(path.read_text(encoding="utf-8"))
        for path in sorted((ROOT / "nashra").rglob("*.py"))
    }


def test_one_usage_error_class_in_problems():
    defined = [
        path
        for path, tree in package_trees().items()
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef) and node.name == "UsageError"
    ]
    assert defined == ["nashra/problems.py"]


def test_root_option_is_defined_once_and_every_command_has_it():
    places = [
        path
        for path, tree in package_trees().items()
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and node.value == "--root"
    ]
    assert places == ["nashra/commands/__init__.py"]
    required = {"new": ["a title"], "email": ["2024-06-17", "--to", "reader@example.org"]}  # their arguments
    for name in COMMANDS:
        args = parser().parse_args([name, *required.get(name, [])])
        assert args.root == Path(".")
        assert parser().parse_args([name, "--root", "x", *required.get(name, [])]).root == Path("x")


def test_usage_error_of_any_command_exits_2_with_the_command_name(monkeypatch, capsys):
    def mistaken(args):
        raise UsageError("--flag: not like that")

    monkeypatch.setattr("nashra.commands.topics.run_topics", mistaken)
    assert main(["topics"]) == 2
    assert capsys.readouterr().err == "build.py topics: error: --flag: not like that\n"


# ---- the interface's words: one catalogue, nashra/words.py ----

ARABIC = re.compile(r"[\u0600-\u06ff]")


def test_templates_take_every_word_from_the_catalogue():
    for template in sorted((ROOT / "templates").glob("*.html")):
        found = ARABIC.findall(template.read_text(encoding="utf-8"))
        assert not found, f"{template.name}: move its words to nashra/words.py"


def test_python_takes_every_page_word_from_the_catalogue():
    for module in ("site", "render/pages"):
        tree = ast.parse((ROOT / "nashra" / f"{module}.py").read_text(encoding="utf-8"))
        texts = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
        docstrings = {ast.get_docstring(n) for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.Module)}
        assert not [t for t in texts if ARABIC.search(t) and t not in docstrings], module


def test_every_catalogue_word_is_used():
    sources = [p.read_text(encoding="utf-8") for p in (ROOT / "templates").glob("*.html")]
    sources += [p.read_text(encoding="utf-8") for p in (ROOT / "nashra").rglob("*.py")]
    every = "\n".join(sources)
    unused = [name for name in WORDS if f"words.{name} " not in every and f'WORDS["{name}"]' not in every]
    assert not unused


def test_a_word_changed_in_the_catalogue_changes_every_page_that_shows_it(tmp_path, monkeypatch):
    words = dict(WORDS, sections="Sections", not_found="Not here", page_number="Page {n}")
    for module in ("nashra.site", "nashra.render.pages"):
        monkeypatch.setattr(f"{module}.WORDS", words)
    root = make_site(tmp_path / "site")
    assert build(root, "--no-cache") == 0
    out = root / "output"
    topics = parse(out / "topics" / "index.html")
    assert text(find(topics, "h1")) == "Sections"
    assert "Sections — " in text(find(topics, "title"))  # after the RLM a Latin title starts with
    assert find(topics, "nav", **{"aria-label": "Sections"}) is not None
    missing = parse(out / "404.html")
    assert text(find(missing, "h1")) == "Not here"
    assert "Not here — " in text(find(missing, "title"))
    second = parse(next(out.glob("topics/*/page/2/index.html")))
    assert text(find(second, "title")).split(" — ")[1] == "Page 2"
    assert "(Page 2)" in text(find(second, "h1"))
