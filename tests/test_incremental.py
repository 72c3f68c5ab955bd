"""The build cache and incremental output: a cached build is byte-identical to a cold one."""

from __future__ import annotations

import errno
import gc
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import build, make_site
from htmltools import find, find_all, parse

from nashra import parallel
from nashra import site as site_model
from nashra.body import parse_and_prepare, prepare
from nashra.incremental.digests import digest_bytes, file_digests
from nashra.incremental.store import FORMAT
from nashra.output import Planned, make, write
from nashra.output.write import write_output
from nashra.problems import ContentError
from nashra.read import content
from nashra.read import links as link_rules

VISIT = "content/articles/2024/06/visit.md"  # links to BUDGET by its file
BUDGET = "content/articles/2024/05/budget.md"
ADDED = "content/articles/2024/06/added.md"  # add_article's


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def add_article(root: Path) -> None:
    (root / ADDED).write_text(
        "---\ntitle: خبر جديد\ndate: 2024-06-30T09:00:00\ntopics: [economy]\n"
        "summary: ملخص خبر جديد أضيف بعد البناء الأول للموقع لاختبار البناء التدريجي.\n"
        "source:\n  name: رويترز\n---\n\nنص الخبر الجديد مع رابط إلى [الزيارة](visit.md).\n",
        encoding="utf-8",
    )


def register_sources(root: Path) -> None:
    """content/sources.yml for the fixture's sources: every source page moves to a registered slug."""
    names = {"nyt": "نيويورك تايمز", "ap": "أسوشيتد برس", "reuters": "رويترز", "bbc": "بي بي سي عربي",
             "nature": "Nature", "local": "مصدر"}  # fmt: skip
    text = "".join(f"- slug: {slug}\n  name: {name}\n" for slug, name in names.items())
    (root / "content/sources.yml").write_text(text, encoding="utf-8")


def add_older_namesake(root: Path) -> None:
    """An article older than every other, from a source whose name derives the slug of another (مسدر and
    مصدر are both `msdr`): the older outlet takes the slug, so the other's pages and links move."""
    (root / "content/articles/2024/05/older.md").write_text(
        "---\ntitle: خبر قديم\ndate: 2024-01-02T09:00:00\ntopics: [economy]\n"
        "summary: ملخص خبر قديم من مصدر يشبه اسمه اسم مصدر آخر لاختبار المعرفات المشتقة.\n"
        "source:\n  name: مسدر\n---\n\nنص الخبر القديم.\n",
        encoding="utf-8",
    )


CHANGES = {
    "body": lambda root: edit(root / VISIT, "صدرت عن الزيارة.", "صدرت عن الزيارة المرتقبة."),
    "front matter": lambda root: edit(root / VISIT, "زيارة مرتقبة تعمّق", "زيارة مؤكدة تعمّق"),
    "topic name": lambda root: edit(root / "content/topics.yml", "name: اقتصاد", "name: الاقتصاد والمال"),
    "template": lambda root: edit(root / "templates/base.html", "</footer>", "<!-- changed --></footer>"),
    "site.yml": lambda root: edit(root / "site.yml", "per_page: 2", "per_page: 3"),
    "new article": add_article,
    "linked article's slug": lambda root: edit(
        root / BUDGET, "title: موازنة جديدة\n", "title: موازنة جديدة\nslug: budget-2024\n"
    ),
    "deleted article": lambda root: (root / "content/articles/2024/05/talks.md").unlink(),
    "stylesheet": lambda root: (root / "templates/static/style.css").write_text("body{}\n", encoding="utf-8"),
    "sources.yml": register_sources,
    "older namesake source": add_older_namesake,
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_cached_build_equals_cold_build(tmp_path: Path, change: str, capsys):
    warm = make_site(tmp_path / "warm")
    assert build(warm) == 0
    CHANGES[change](warm)
    assert build(warm) == 0
    cold = make_site(tmp_path / "cold")
    CHANGES[change](cold)
    assert build(cold, "--no-cache") == 0
    assert not (cold / ".nashra-cache").exists()
    assert tree(warm / "output") == tree(cold / "output")
    assert [p.name for p in warm.iterdir() if p.name.startswith(".output")] == []
    assert "reused" in capsys.readouterr().out


def inodes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_ino for p in folder.rglob("*") if p.is_file()}


ALWAYS_MADE = {"sitemap.xml", "robots.txt", ".nojekyll"}  # small files made every time, with the copies


# what a build with work to do imports (Markdown, Jinja, Pillow, feedgen and lxml, css-inline, Pagefind),
# and a build with nothing to do should not: most of its time would be spent importing them
HEAVY = ("markdown", "jinja2", "PIL", "feedgen", "lxml", "css_inline", "pagefind")
IMPORTED = (
    "import sys; from nashra.cli import main; code = main(sys.argv[1:-1]); "
    "print(' '.join(sorted({m.split('.')[0] for m in sys.modules} & set(sys.argv[-1].split())))); sys.exit(code)"
)


def test_a_build_with_nothing_to_do_imports_none_of_the_stages(site: Path):
    def imported() -> set[str]:
        args = [sys.executable, "-c", IMPORTED, "build", "--root", str(site), " ".join(HEAVY)]
        done = subprocess.run(args, capture_output=True, text=True, timeout=120, check=True)
        return set(done.stdout.split("\n")[-2].split())

    assert imported() == set(HEAVY)  # the first build: all of them
    assert imported() == set()  # nothing changed: the session said so before any stage was imported
    CHANGES["body"](site)
    assert imported() == set(HEAVY)  # a body changed: the stages are needed again


def test_only_what_changed_is_made_again(site: Path, capsys):
    assert build(site) == 0
    first = inodes(site / "output")
    assert build(site) == 0
    assert "(0 files written, 126 reused)" in capsys.readouterr().out
    assert inodes(site / "output") == first  # nothing changed: the tree was left alone
    CHANGES["body"](site)
    assert build(site) == 0
    after = inodes(site / "output")
    remade = {path for path in after if after[path] != first.get(path)}
    # copies (static files, SVGs) are written again, and the search index when it is made again (test_search.py)
    remade -= ALWAYS_MADE | {p for p in remade if p.startswith(("static/", "images/", "pagefind/"))}
    # the article page and the feeds carrying its body; lists show no body, so they are kept
    folders = ("", "topics/politics/", "sources/nywywrk-taymz/")  # the site's, its topic's, its source's
    feeds = {f"{folder}{name}" for folder in folders for name in ("feed.xml", "atom.xml", "feed.json")}
    assert remade == {"articles/visit/index.html", *feeds}
    CHANGES["front matter"](site)
    assert build(site) == 0
    again = inodes(site / "output")
    remade = {path for path in again if again[path] != after.get(path)} - ALWAYS_MADE
    assert "index.html" in remade and "topics/politics/index.html" in remade  # its title is listed there
    assert "articles/vote/index.html" in remade  # which lists visit under "more in this topic"
    assert {"archive/2024/06/index.html", "sources/nywywrk-taymz/index.html"} <= remade  # which list it too
    assert "archive/2024/05/index.html" not in remade
    assert "articles/budget/index.html" not in remade  # its main topic is economy
    assert "topics/economy/index.html" not in remade


def economy_article(root: Path, slug: str, day: int, source: str = "وكالة الأنباء") -> None:
    (root / f"content/articles/2024/07/{slug}.md").write_text(
        f"---\ntitle: خبر اقتصادي {slug}\ndate: 2024-07-{day:02d}T09:00:00\ntopics: [economy]\n"
        f"summary: ملخص خبر اقتصادي من أخبار شهر يوليو للاختبار.\nsource:\n  name: {source}\n---\n\nنص الخبر.\n",
        encoding="utf-8",
    )


def related_links(site: Path, slug: str) -> list[str]:
    """The addresses in an article page's "more in <topic>"."""
    return [a.get("href") for a in find_all(find(parse(site / f"output/articles/{slug}/index.html"), "aside"), "a")]


def test_a_new_article_makes_its_own_page_and_two_others_again_not_every_page_of_its_topic(site: Path):
    """An article's "more in <topic>" lists the articles nearest it in time (site.related_by_slug), so
    the newest article of a topic enters the lists of the two before it only."""
    (site / "content/articles/2024/07").mkdir()
    for day in range(1, 13):
        economy_article(site, f"july-{day}", day)
    assert build(site) == 0
    first = inodes(site / "output")
    economy_article(site, "july-20", 20, source="مصدر آخر")  # another source: no source page shifts
    assert build(site) == 0
    after = inodes(site / "output")
    remade = {p for p in after if p.startswith("articles/") and after[p] != first.get(p)}
    # not visit's page either, which links to budget.md by its file: only budget's slug is printed there
    assert remade == {"articles/july-20/index.html", "articles/july-12/index.html", "articles/july-11/index.html"}
    assert related_links(site, "july-5") == [
        f"/nashra/articles/july-{day}/" for day in (7, 6, 4, 3, 2)
    ]  # 2 newer, 3 older
    # Older than July, the topic has one article (the fixture's budget): the other two come from after.
    july = [f"/nashra/articles/july-{day}/" for day in (5, 4, 3, 2, 1)]
    assert related_links(site, "july-2") == [*july[:3], july[4], "/nashra/articles/budget/"]
    assert related_links(site, "july-20")[:2] == ["/nashra/articles/july-12/", "/nashra/articles/july-11/"]


def test_a_changed_slug_reaches_the_pages_that_link_to_its_article_by_file(site: Path):
    """A science article links to budget.md (economy and politics: not in its "more in" list, so only
    the link ties its page to budget's slug)."""
    (site / "content/articles/2024/06/lab.md").write_text(
        "---\ntitle: خبر علمي\ndate: 2024-06-20T09:00:00\ntopics: [science]\n"
        "summary: ملخص خبر علمي يشير إلى خبر الموازنة في شهر مايو الماضي.\nsource:\n  name: Nature\n---\n\n"
        "انظر [خبر الموازنة](../05/budget.md).\n",
        encoding="utf-8",
    )
    assert build(site) == 0
    assert "/nashra/articles/budget/" not in related_links(site, "lab")
    CHANGES["linked article's slug"](site)
    assert build(site) == 0
    links = [a.get("href") for a in find_all(find(parse(site / "output/articles/lab/index.html"), "main"), "a")]
    assert "/nashra/articles/budget-2024/" in links and "/nashra/articles/budget/" not in links


def test_more_in_a_topic_takes_more_from_one_side_where_the_other_has_too_few():
    """site_model._nearest over a topic's list, newest first: 2 newer and 3 older where there are, else more of
    the other side; never the article itself; always in the list's order."""
    listing = tuple(range(9))
    assert [site_model._nearest(listing, i) for i in (0, 1, 4, 7, 8)] == [
        (1, 2, 3, 4, 5), (0, 2, 3, 4, 5), (2, 3, 5, 6, 7), (3, 4, 5, 6, 8), (3, 4, 5, 6, 7),
    ]  # fmt: skip
    assert [site_model._nearest((0, 1, 2), i) for i in range(3)] == [(1, 2), (0, 2), (0, 1)]


def test_files_of_unchanged_derived_entries_are_kept_not_copied_again(site: Path):
    from PIL import Image

    Image.new("RGB", (1600, 900), (200, 120, 40)).save(site / "content/images/street.jpg")
    edit(site / VISIT, "src: route.svg", "src: street.jpg")
    assert build(site) == 0
    first = inodes(site / "output")
    derived = {p for p in first if p.startswith(("pagefind/", "photos/", "images/street", "cards/"))}
    assert {"images/street.jpg", "cards/visit.jpg"} <= derived and any(p.startswith("pagefind/") for p in derived)
    CHANGES["template"](site)  # every page made again; the index, the photos and the cards are the same
    assert build(site) == 0
    after = inodes(site / "output")
    assert {p for p in derived if after[p] != first[p]} == set()
    assert after["articles/visit/index.html"] != first["articles/visit/index.html"]


def cache_inodes(root: Path) -> set[int]:
    return {p.stat().st_ino for p in (root / ".nashra-cache/derived").rglob("*") if p.is_file()}


@pytest.mark.parametrize("links", ["made", "refused"])
def test_a_build_without_output_links_the_derived_files_from_the_cache_or_copies_them(site: Path, monkeypatch, links):
    """What pages.yml does (the cache restored, no output/): the cards, the search index and the photos'
    sizes are hard links to the cache's entries, not written again; where the file system refuses a
    link (another device, no hard links), they are copied: the same bytes either way."""
    from PIL import Image

    Image.new("RGB", (1600, 900), (200, 120, 40)).save(site / "content/images/street.jpg")
    edit(site / VISIT, "src: route.svg", "src: street.jpg")
    assert build(site) == 0
    before = tree(site / "output")
    shutil.rmtree(site / "output")
    if links == "refused":
        monkeypatch.setattr(make.os, "link", lambda src, dst: (_ for _ in ()).throw(OSError(errno.EXDEV, "")))
    assert build(site) == 0
    assert tree(site / "output") == before
    derived = {path for path in before if path.startswith(("cards/", "pagefind/", "photos/", "images/street"))}
    assert {p.split("/")[0] for p in derived} == {"cards", "pagefind", "photos", "images"}
    shared = {path for path, inode in inodes(site / "output").items() if inode in cache_inodes(site)}
    assert shared == (derived if links == "made" else set())


def test_deleted_output_is_built_again(site: Path):
    assert build(site) == 0
    before = tree(site / "output")
    shutil.rmtree(site / "output")
    assert build(site) == 0
    assert tree(site / "output") == before


def test_corrupt_cache_index_is_ignored_with_a_warning(site: Path, capsys):
    assert build(site) == 0
    expected = tree(site / "output")
    (site / ".nashra-cache/last-build.json").unlink()
    (site / ".nashra-cache/index.json").write_text("{ not json", encoding="utf-8")
    assert build(site) == 0
    assert "warning: ignoring the build cache" in capsys.readouterr().err
    assert tree(site / "output") == expected


def test_foreign_cache_records_are_never_trusted(site: Path, capsys):
    assert build(site) == 0
    expected = tree(site / "output")
    records = site / ".nashra-cache/articles.jsonl"
    header, *lines = records.read_text(encoding="utf-8").splitlines()
    tampered = []
    for line in lines:
        path, file_digest, text, links = line.split("\t")  # the record, then its links
        record = json.loads(text)
        record["article"]["date"] = "not a date"
        tampered.append(f"{path}\t{file_digest}\t{json.dumps(record)}\t{links}")
    records.write_text("\n".join([header, *tampered]) + "\n", encoding="utf-8")
    (site / ".nashra-cache/last-build.json").unlink()
    shutil.rmtree(site / "output")
    assert build(site) == 0
    assert "ignoring a cached record" in capsys.readouterr().err
    assert tree(site / "output") == expected


def test_corrupt_body_pack_is_never_trusted(site: Path, capsys):
    assert build(site) == 0
    expected = tree(site / "output")
    packs = list((site / ".nashra-cache/bodies").glob("*.pack"))
    assert packs
    for pack in packs:  # the same length, so every body is still found where the index says
        pack.write_bytes(pack.read_bytes().replace(b"<p>", b"[T]"))
    (site / ".nashra-cache/last-build.json").unlink()
    shutil.rmtree(site / "output")
    assert build(site) == 0
    assert "ignoring a corrupt or missing cache file" in capsys.readouterr().err
    assert tree(site / "output") == expected
    assert b"[T]" not in b"".join(tree(site / "output").values())


def test_missing_body_pack_is_made_again(site: Path, capsys):
    assert build(site) == 0
    expected = tree(site / "output")
    shutil.rmtree(site / ".nashra-cache/bodies")
    (site / ".nashra-cache/last-build.json").unlink()
    shutil.rmtree(site / "output")
    assert build(site) == 0
    assert tree(site / "output") == expected
    assert list((site / ".nashra-cache/bodies").glob("*.pack"))


def pack_sizes(site: Path) -> dict[str, int]:
    return {p.name: p.stat().st_size for p in (site / ".nashra-cache/bodies").iterdir()}


def test_body_packs_hold_only_bodies_in_use(site: Path):
    assert build(site) == 0
    first = pack_sizes(site)
    built = [p for p in (site / "content/articles").rglob("*.md") if "draft: true" not in p.read_text("utf-8")]
    articles = sorted(built, key=lambda path: path.stat().st_size)
    assert len(articles) >= 4
    edit(articles[1], "\n\n", "\n\nفقرة مضافة.\n\n")
    assert build(site) == 0
    second = pack_sizes(site)
    assert first.keys() < second.keys()  # the old body is still in the first pack, beside the others
    for path in articles[2:]:  # all but the smallest now: the rest of the first pack moves to a new one
        edit(path, "\n\n", "\n\nفقرة أخرى.\n\n")
    assert build(site) == 0
    third = pack_sizes(site)
    assert not first.keys() & third.keys()
    assert all(name.endswith(".pack") for name in third)
    (site / ".nashra-cache/last-build.json").unlink()
    shutil.rmtree(site / "output")
    assert build(site) == 0  # every body found where the index says, after the move
    expected = tree(site / "output")
    shutil.rmtree(site / "output")
    shutil.rmtree(site / ".nashra-cache")
    assert build(site) == 0
    assert tree(site / "output") == expected
    assert sum(third.values()) <= 2 * sum(pack_sizes(site).values())


def test_build_without_cache_is_never_mistaken_for_a_cached_one(site: Path):
    assert build(site) == 0
    assert build(site, "--no-cache", "--base-url", "https://other.example/") == 0
    assert build(site) == 0
    assert b"other.example" not in b"".join(tree(site / "output").values())


def test_parallel_parsing_and_conversion_give_the_same_site(tmp_path: Path, monkeypatch):
    serial = make_site(tmp_path / "serial")
    assert build(serial, "--no-cache") == 0
    monkeypatch.setitem(parallel.SPREAD, "chunks", parallel.Spread(start_from=1, chunk=2))
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    in_workers = make_site(tmp_path / "parallel")
    assert build(in_workers, "--no-cache") == 0
    assert tree(serial / "output") == tree(in_workers / "output")


def test_each_body_is_converted_once_where_its_article_was_parsed(site: Path, monkeypatch):
    converted = []
    convert = prepare.render_markdown
    monkeypatch.setattr(prepare, "render_markdown", lambda text: converted.append(text) or convert(text))
    monkeypatch.setattr(content.BodyFile, "read", lambda self: pytest.fail(f"{self.path} was read again"))
    assert build(site) == 0
    articles = list((site / "output/articles").iterdir())
    assert len(converted) == len(articles) > 5
    converted.clear()
    CHANGES["body"](site)
    assert build(site) == 0
    assert len(converted) == 1


def test_a_failure_while_linking_leaves_the_old_tree_alone(tmp_path: Path, monkeypatch):
    out = tmp_path / "output"
    files = [Planned(f"articles/{n}/index.html", f"k{n}", lambda n=n: f"page {n}".encode()) for n in range(5)]
    first = write_output(out, files, {})
    before = tree(out)
    changed = [*files[:4], Planned("articles/4/index.html", "new", lambda: b"changed")]
    real_link, calls = os.link, []

    def failing_link(src, dst):
        calls.append(src)
        if len(calls) == 3:
            raise OSError(errno.EIO, "disk trouble")
        return real_link(src, dst)

    monkeypatch.setattr(write.os, "link", failing_link)
    with pytest.raises(ContentError, match="1 problem"):
        write_output(out, changed, {}, previous=first.manifest)
    assert tree(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["output"]


def test_paths_that_leave_the_output_folder_are_refused(tmp_path: Path):
    for bad in ("../escape.html", "/etc/passwd", "a/../../b", "a//b", ""):
        with pytest.raises(ValueError, match="outside the output folder"):
            write_output(tmp_path / "output", [Planned(bad, "", lambda: b"x")], {})
    assert not (tmp_path / "escape.html").exists()


class Stream:
    def __init__(self, tty: bool):
        self.tty, self.text = tty, ""

    def isatty(self) -> bool:
        return self.tty

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass


def test_progress_is_a_bar_on_a_terminal_and_a_few_lines_in_a_log():
    from nashra.pipeline import Progress

    log = Stream(tty=False)
    progress = Progress(log)
    for done in range(1, 4001):
        progress(done, 4000)
    lines = log.text.splitlines()
    assert [line.split(" ")[0] for line in lines] == ["1000/4000", "2000/4000", "3000/4000", "4000/4000"]
    terminal = Stream(tty=True)
    progress = Progress(terminal)
    for done in range(1, 4001):
        progress(done, 4000)
    assert terminal.text.count("\r") == 40  # one redraw every 100 files
    last = terminal.text.split("\r")[-1]
    assert last.startswith("[" + "#" * 30 + "] 4000/4000 files, ") and last.endswith("/s\n")
    quiet = Stream(tty=False)
    progress = Progress(quiet)
    for done in range(1, 101):
        progress(done, 100)
    assert quiet.text == ""  # small builds finish before a bar would help


def test_template_error_in_a_worker_keeps_the_previous_output(site: Path, monkeypatch, capsys):
    assert build(site) == 0
    before = tree(site / "output")
    monkeypatch.setitem(parallel.SPREAD, "files", parallel.Spread(start_from=1, chunk=25))
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    CHANGES["body"](site)
    article = site / "templates/article.html"
    article.write_text(
        article.read_text(encoding="utf-8").replace("{{ entry.body_html", "{{ entry.nope"), encoding="utf-8"
    )
    assert build(site) == 1
    assert capsys.readouterr().err.startswith("templates/article.html:")
    assert tree(site / "output") == before
    assert [p.name for p in site.iterdir() if p.name.startswith(".output")] == []


def test_an_older_cache_layout_is_cleared(site: Path, capsys):
    assert build(site) == 0
    old_body = site / ".nashra-cache/bodies/ab/ab12.html"  # bodies were a file each before packs
    old_body.parent.mkdir()
    old_body.write_text("0" * 64 + "\n<p>old</p>", encoding="utf-8")
    index = site / ".nashra-cache/index.json"
    index.write_text(index.read_text(encoding="utf-8").replace(f'"format":{FORMAT}', '"format":2'), encoding="utf-8")
    (site / ".nashra-cache/last-build.json").unlink()
    assert build(site) == 0
    assert "ignoring the build cache" in capsys.readouterr().err
    assert not old_body.parent.exists()
    assert all(path.suffix == ".pack" for path in (site / ".nashra-cache/bodies").iterdir())


def test_a_recorded_digest_is_trusted_only_for_a_file_unchanged_since_well_before(tmp_path: Path):
    path = tmp_path / "a.md"
    path.write_text("one", encoding="utf-8")
    old = time.time_ns() - 10_000_000_000
    os.utime(path, ns=(old, old))
    states: dict[str, list] = {}
    real = file_digests(tmp_path, ["a.md", "gone.md"], states=states)
    assert real == {"a.md": digest_bytes(b"one"), "gone.md": "absent"}
    st = path.stat()
    assert states["a.md"][:4] == [st.st_mtime_ns, st.st_size, st.st_ino, real["a.md"]]
    assert "gone.md" not in states
    # recorded long after the file last changed: its digest is trusted, the file not read
    known = {"a.md": [*states["a.md"][:3], "recorded", states["a.md"][4]]}
    again: dict[str, list] = {}
    assert file_digests(tmp_path, ["a.md"], known, again) == {"a.md": "recorded"}
    assert again == known
    # changed within two seconds of the record: its time could hide a change, so it is read
    racy = {"a.md": [*states["a.md"][:3], "recorded", old + 1_000_000_000]}
    assert file_digests(tmp_path, ["a.md"], racy) == {"a.md": real["a.md"]}
    # changed since: read again
    path.write_text("two", encoding="utf-8")
    os.utime(path, ns=(old, old + 1))
    assert file_digests(tmp_path, ["a.md"], known) == {"a.md": digest_bytes(b"two")}


def test_article_records_round_trip_and_refuse_a_nested_value_of_another_type():
    from datetime import datetime, timedelta, timezone

    from nashra.incremental.records import article_from_json, article_to_json
    from nashra.model import Article, Image, Source

    moment = datetime(2024, 6, 10, 10, 0, tzinfo=timezone(timedelta(hours=3)))
    article = Article(
        path="content/articles/a.md",
        slug="a",
        title="عنوان",
        date=moment,
        topics=("politics", "economy"),
        summary="ملخص",
        source=Source("رويترز", None),
        body="",
        body_line=9,
        updated=moment,
        image=Image("a.png", "صورة", None),
        lines=(("title", 2), ("date", 3)),
        digest="d" * 64,
        front_digest="f" * 64,
    )
    record = json.loads(json.dumps(article_to_json(article)))
    assert article_from_json(record, article.path, article.digest) == article
    for name, value in {
        "image": {"src": "a.png", "alt": 1, "caption": None},
        "source": {"name": "رويترز"},
        "lines": [["title", True]],
        "draft": 0,
        "updated": "2024-06-10T10:00:00",
        "topics": "politics",
        "title": None,
        "body_line": True,
    }.items():
        with pytest.raises(ValueError, match=f"unexpected '{name}'"):
            article_from_json({**record, name: value}, article.path, article.digest)
    with pytest.raises(ValueError, match="unexpected 'lines'"):  # a pair of three
        article_from_json({**record, "lines": [["title", 2, 3]]}, article.path, article.digest)


def test_the_progress_counts_every_file_made_and_ends_at_the_total(site: Path):
    from PIL import Image

    from nashra.pipeline import run_build

    Image.new("RGB", (1600, 900), (200, 120, 40)).save(site / "content/images/street.jpg")
    edit(site / VISIT, "src: route.svg", "src: street.jpg")  # photo sizes and the search index: derived files
    seen: list[tuple[int, int]] = []
    result = run_build(site, site / "output", progress=lambda done, total: seen.append((done, total)))
    totals = {total for _, total in seen}
    assert len(totals) == 1 and all(done <= total for done, total in seen)
    files = [p for p in (site / "output").rglob("*") if p.is_file()]
    copied = {p for p in files if "static" in p.relative_to(site / "output").parts or p.suffix == ".svg"}
    # the static files and SVG images: copied, not counted
    assert seen[-1][0] == seen[-1][1] == result.written + result.reused - len(copied)


# ---- links of unchanged articles: checked again only when the site they are checked against changes ----

BROKEN_BY = {  # a change to the site that breaks a link of an unchanged article: (change, file, line, message)
    "linked article deleted": (lambda root: (root / BUDGET).unlink(), VISIT, 18, "which is not an article"),
    "linked article a draft": (
        lambda root: edit(root / BUDGET, "title: موازنة جديدة\n", "title: موازنة جديدة\ndraft: true\n"),
        VISIT,
        18,
        "a draft that is not published",
    ),
    "image deleted": (
        lambda root: (root / "content/images/route.svg").unlink(),
        VISIT,
        20,
        "is not in content/images/",
    ),
}


@pytest.mark.parametrize("change", sorted(BROKEN_BY))
def test_a_link_the_site_no_longer_serves_is_found_in_an_article_taken_from_the_cache(site: Path, change, capsys):
    act, path, line, message = BROKEN_BY[change]
    assert build(site) == 0
    act(site)
    assert build(site) == 1
    assert any(row.startswith(f"{path}:{line}:") and message in row for row in capsys.readouterr().err.splitlines())


def test_the_links_of_unchanged_articles_are_not_checked_again_against_the_same_site(site: Path, monkeypatch):
    checked, real = [], link_rules.check_link
    monkeypatch.setattr(
        link_rules, "check_link", lambda link, path, where: checked.append(path) or real(link, path, where)
    )
    assert build(site) == 0
    everything = len(checked)
    checked.clear()
    edit(site / VISIT, "صدرت عن الزيارة.", "صدرت عن الزيارة المرتقبة.")
    assert build(site) == 0
    assert checked and set(checked) == {VISIT} and len(checked) < everything
    checked.clear()
    add_article(site)  # the sites hold all they held and more: only the new article's one link is checked
    assert build(site) == 0
    assert checked == [ADDED]
    checked.clear()
    (site / ADDED).unlink()  # now they hold less: every link is checked again
    assert build(site) == 0
    assert len(checked) == everything


def sites_without_budget(tmp_path: Path) -> str:
    """link-sites.json of the fixture without budget (and visit's link to it): what the sites hold
    once budget is deleted."""
    other = make_site(tmp_path / "other")
    (other / BUDGET).unlink()
    edit(other / VISIT, "[الخبر السابق](../05/budget.md)", "الخبر السابق")
    assert build(other) == 0
    return (other / ".nashra-cache/link-sites.json").read_text(encoding="utf-8")


@pytest.mark.parametrize("damage", ["not JSON", "another layout", "of other sites"])
def test_what_the_sites_held_is_trusted_only_as_kept(tmp_path: Path, damage, capsys):
    """link-sites.json damaged, or holding other sites than those the articles file names (here: the
    sites once budget is deleted, which hold all that is left): deleting budget is still found to
    break visit's link to it."""
    site = make_site(tmp_path / "site")
    assert build(site) == 0
    kept = {"not JSON": "[[", "another layout": '{"a": 1}', "of other sites": sites_without_budget(tmp_path)}[damage]
    (site / ".nashra-cache/link-sites.json").write_text(kept, encoding="utf-8")
    (site / BUDGET).unlink()
    capsys.readouterr()
    assert build(site) == 1
    assert any(row.startswith(f"{VISIT}:18:") for row in capsys.readouterr().err.splitlines())


@pytest.mark.parametrize("site_field", [None, "not a digest", "0" * 64])
def test_records_without_the_site_their_links_passed_on_have_every_link_checked(site: Path, monkeypatch, site_field):
    """An articles file of an older build (no fifth field in its header), or one whose field is damaged
    or names another site: its records are still used, and every link is checked."""
    checked, real = [], link_rules.check_link
    monkeypatch.setattr(
        link_rules, "check_link", lambda link, path, where: checked.append(path) or real(link, path, where)
    )
    assert build(site) == 0
    everything = len(checked)
    records = site / ".nashra-cache/articles.jsonl"
    header, rest = records.read_text(encoding="utf-8").split("\n", 1)
    fields = header.split("\t")
    assert len(fields) == 5
    fields[4:] = [] if site_field is None else [site_field]
    records.write_text("\t".join(fields) + "\n" + rest, encoding="utf-8")
    parsed = []
    real_parse = parse_and_prepare.parse_files
    monkeypatch.setattr(parse_and_prepare, "parse_files", lambda *args: parsed.extend(args[-1]) or real_parse(*args))
    checked.clear()
    edit(site / VISIT, "صدرت عن الزيارة.", "صدرت عن الزيارة المرتقبة.")
    assert build(site) == 0
    assert len(checked) == everything
    assert parsed == [VISIT]  # the other articles taken from their records


def test_the_stages_run_with_fewer_garbage_collections_and_the_process_keeps_its_own(site: Path, monkeypatch):
    """pipeline.GC_THRESHOLDS while the stages work (how much time it saves: bench/README.md), the
    process's own thresholds before and after, a failed build's too."""
    from nashra import pipeline, stages

    seen = []
    build_site = stages.build_site
    monkeypatch.setattr(stages, "build_site", lambda *args: (seen.append(gc.get_threshold()), build_site(*args))[1])
    before = gc.get_threshold()
    assert before != pipeline.GC_THRESHOLDS
    assert build(site) == 0
    assert seen == [pipeline.GC_THRESHOLDS]
    assert gc.get_threshold() == before
    (site / VISIT).write_text("---\ntitle: [\n---\n", encoding="utf-8")
    assert build(site) == 1
    assert gc.get_threshold() == before
