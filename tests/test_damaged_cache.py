"""A damaged, foreign or unwritable build cache: a warning, the work done again, the output of a cold build."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import TEST_FRONT, build, make_site

from nashra import parallel, stages
from nashra.incremental.packs import atomic_write

VISIT = "content/articles/2024/06/visit.md"
CACHE = ".nashra-cache"


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def change_visit(root: Path) -> None:
    """A change to one article, so the next build reads the cache (an unchanged site needs nothing)."""
    path = root / VISIT
    text = path.read_text(encoding="utf-8")
    assert "صدرت عن الزيارة." in text
    path.write_text(text.replace("صدرت عن الزيارة.", "صدرت عن الزيارة المرتقبة."), encoding="utf-8")


@pytest.fixture(scope="module")
def expected(tmp_path_factory) -> dict[str, bytes]:
    """The output of the changed site built with --no-cache."""
    cold = make_site(tmp_path_factory.mktemp("cold") / "site")
    change_visit(cold)
    assert build(cold, "--no-cache") == 0
    return tree(cold / "output")


def outside(tmp_path: Path) -> dict[str, bytes]:
    """Every file under tmp_path but the site's own folder."""
    found = {}
    for p in sorted(tmp_path.rglob("*")):
        rel = p.relative_to(tmp_path).as_posix()
        if not rel.startswith("site/") and (p.is_file() or p.is_symlink()):
            found[rel] = p.read_bytes() if p.is_file() else b"link"
    return found


def edit_json(path: Path, change: Callable[[dict], None]) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def edit_records(cache: Path, change: Callable[[dict], None]) -> None:
    """Change every article record in articles.jsonl, given as {"article": ..., "linked": ..., "links": ...}
    (kept as {"article": ..., "linked": ...} and the links, a tab apart; without links if it has none)."""
    path = cache / "articles.jsonl"
    header, *lines = path.read_text(encoding="utf-8").splitlines()
    changed = []
    for line in lines:
        relpath, file_digest, front, links = line.split("\t")
        record = json.loads(front) | {"links": json.loads(links)}
        change(record)
        links = record.pop("links", None)
        text = json.dumps(record, ensure_ascii=False)
        if links is not None:
            text += "\t" + json.dumps(links, ensure_ascii=False)
        changed.append(f"{relpath}\t{file_digest}\t{text}")
    path.write_text("\n".join([header, *changed]) + "\n", encoding="utf-8")


def links_not_json(cache: Path) -> None:
    """Every record's links (the text after its tab) not JSON at all; the records name no linked files,
    so their links are read."""
    edit_records(cache, lambda record: record.pop("linked"))
    path = cache / "articles.jsonl"
    header, *lines = path.read_text(encoding="utf-8").splitlines()
    spoilt = [line.rpartition("\t")[0] + "\t[[14, 2" for line in lines]
    path.write_text("\n".join([header, *spoilt]) + "\n", encoding="utf-8")


def record_bytes(spoilt: bytes) -> Callable[[Path], None]:
    """Every record's title starting with these bytes (the file is read as bytes, each record decoded)."""

    def spoil(cache: Path) -> None:
        path = cache / "articles.jsonl"
        header, rest = path.read_bytes().split(b"\n", 1)
        path.write_bytes(header + b"\n" + rest.replace(b'"title": "', b'"title": "' + spoilt))

    return spoil


def first_page(data: dict) -> list:
    return data["pages"][sorted(data["pages"])[0]]


def set_article(name: str, value) -> Callable[[dict], None]:
    return lambda record: record["article"].__setitem__(name, value)


def replace_with_file(path: Path) -> None:
    shutil.rmtree(path)
    path.write_text("not a folder", encoding="utf-8")


def link_outside(path: Path) -> None:
    site = next(folder for folder in path.parents if folder.name == "site")
    elsewhere = site.parent / "elsewhere" / path.name
    shutil.copytree(path, elsewhere)
    shutil.rmtree(path)
    path.symlink_to(elsewhere, target_is_directory=True)


def break_bodies(cache: Path, change: Callable[[list], None]) -> None:
    edit_json(cache / "index.json", lambda data: [change(record) for record in data["bodies"].values()])


def set_stamp_files(cache: Path) -> None:
    edit_json(cache / "last-build.json", lambda data: data["files"].__setitem__(VISIT, [1, 2, 3, 4, "soon"]))


# name -> (what is done to .nashra-cache after a build, what the warning says)
DAMAGE: dict[str, tuple[Callable[[Path], None], str]] = {
    "page size not a number": (
        lambda c: edit_json(c / "index.json", lambda d: first_page(d).__setitem__(1, "abc")),
        "ignoring the page manifest",
    ),
    "page path leading out": (
        lambda c: edit_json(c / "index.json", lambda d: d["pages"].__setitem__("../../x", ["k", 1])),
        "ignoring the page manifest",
    ),
    "output not a text": (
        lambda c: edit_json(c / "index.json", lambda d: d.__setitem__("output", 7)),
        "ignoring the page manifest",
    ),
    "index.json a folder": (lambda c: ((c / "index.json").unlink(), (c / "index.json").mkdir()), "index.json"),
    "cache folder a file": (replace_with_file, "cannot use the build cache .nashra-cache/ (.nashra-cache is not"),
    "bodies folder a file": (lambda c: replace_with_file(c / "bodies"), "(.nashra-cache/bodies is not a folder)"),
    "cache folder a link leading out": (link_outside, "is a link leading out of the site's folder"),
    "bodies folder a link leading out": (lambda c: link_outside(c / "bodies"), "is a link leading out"),
    "pack name leading out": (lambda c: break_bodies(c, lambda r: r.__setitem__(1, "../../../x")), "damaged records"),
    "pack length past its end": (
        lambda c: break_bodies(c, lambda r: r.__setitem__(3, 10**15)),
        "ignoring a corrupt or missing cache file",
    ),
    "word count not a number": (lambda c: break_bodies(c, lambda r: r.__setitem__(0, "many")), "damaged records"),
    "slug leading out": (lambda c: edit_records(c, set_article("slug", "../../../x")), "unexpected 'slug'"),
    "slug with a newline": (lambda c: edit_records(c, set_article("slug", "visit\n")), "unexpected 'slug'"),
    "unknown topic": (lambda c: edit_records(c, set_article("topics", ["nope"])), "unexpected 'topics'"),
    "topics not texts": (lambda c: edit_records(c, set_article("topics", [1])), "unexpected 'topics'"),
    "absolute image src": (
        lambda c: edit_records(c, set_article("image", {"src": "/etc/passwd", "alt": "a", "caption": None})),
        "unexpected 'image'",
    ),
    "date without a zone": (lambda c: edit_records(c, set_article("date", "2024-06-01T10:00")), "unexpected 'date'"),
    "title not a text": (lambda c: edit_records(c, set_article("title", ["x"])), "unexpected 'title'"),
    "lines not numbers": (lambda c: edit_records(c, set_article("lines", [["title", "2"]])), "unexpected 'lines'"),
    "body line a boolean": (lambda c: edit_records(c, set_article("body_line", True)), "unexpected 'body_line'"),
    "path of another file": (
        lambda c: edit_records(c, set_article("path", "content/articles/../../site.yml")),
        "unexpected 'path'",
    ),
    "record not an object": (lambda c: edit_records(c, lambda r: (r.clear(), r.__setitem__("x", 1))), "record"),
    # links are read when a record names no linked files (an older record's), else once the site changes
    "links not links": (
        lambda c: edit_records(c, lambda r: (r.__setitem__("links", [["1", 2, 3, 4]]), r.pop("linked"))),
        "links",
    ),
    "links not JSON": (links_not_json, "ignoring cached links"),
    "record not UTF-8": (record_bytes(b"\xff"), "ignoring a cached record"),
    "record with a lone surrogate": (record_bytes(b"\xed\xa0\x80"), "ignoring a cached record"),
    "linked files not texts": (lambda c: edit_records(c, lambda r: r.__setitem__("linked", [1])), "linked files"),
    "stamp not a stamp": (lambda c: (c / "last-build.json").write_text("[1, 2]", encoding="utf-8"), "last-build"),
    "stamp file state damaged": (set_stamp_files, "last-build.json: unexpected layout"),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damaged_cache_gives_a_warning_and_the_output_of_a_cold_build(tmp_path: Path, damage: str, expected, capsys):
    site = make_site(tmp_path / "site")
    assert build(site) == 0
    spoil, warning = DAMAGE[damage]
    spoil(site / CACHE)
    change_visit(site)
    before = outside(tmp_path)
    capsys.readouterr()
    assert build(site) == 0
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "warning:" in err and warning in err
    assert tree(site / "output") == expected
    assert outside(tmp_path) == before  # nothing written outside the site's folder
    assert build(site) == 0  # and the build after is as good
    assert tree(site / "output") == expected


def test_records_without_their_links_have_them_read_from_the_files_again(site: Path, expected, capsys):
    """A record with neither its links nor its linked files (the links are kept after a tab, and this
    one has none): the article's body is scanned for them, without a warning."""
    assert build(site) == 0
    edit_records(site / CACHE, lambda record: (record.pop("links"), record.pop("linked")))
    change_visit(site)
    capsys.readouterr()
    assert build(site) == 0
    assert "warning" not in capsys.readouterr().err
    assert tree(site / "output") == expected


def test_cache_that_cannot_be_saved_after_the_swap_is_a_warning(site: Path, expected, monkeypatch, capsys):
    """`chmod 555 .nashra-cache` as a user: bodies/ can still be written, the files beside it cannot."""
    assert build(site) == 0
    change_visit(site)
    real_mkstemp = tempfile.mkstemp
    cache = str(site / CACHE)
    swapped = []

    def mkstemp(*args, dir=None, **kwargs):
        if swapped and str(dir) == cache:
            raise PermissionError(13, "Permission denied", str(dir))
        return real_mkstemp(*args, dir=dir, **kwargs)

    real_write_output = stages.write_output

    def write_output(*args, **kwargs):
        written = real_write_output(*args, **kwargs)
        swapped.append(True)
        return written

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    monkeypatch.setattr(stages, "write_output", write_output)
    capsys.readouterr()
    assert build(site) == 0
    err = capsys.readouterr().err
    assert swapped and "Traceback" not in err
    assert "warning: could not write the build cache .nashra-cache/: [Errno 13] Permission denied" in err.replace(
        "\n", " "
    )
    assert "the next build will do all the work again" in err
    assert tree(site / "output") == expected  # the new build stands
    monkeypatch.undo()
    assert build(site) == 0
    assert tree(site / "output") == expected


def test_a_cache_file_written_in_pieces_is_replaced_whole_or_not_at_all(tmp_path: Path):
    """The article records are written a line at a time (no copy of the whole file in memory): a
    failure between two lines, a full disk say, leaves the last complete file and no stray one."""
    path = tmp_path / "articles.jsonl"
    atomic_write(path, (f"line {n}\n" for n in range(3)))
    assert path.read_text(encoding="utf-8") == "line 0\nline 1\nline 2\n"

    def lines_then_a_full_disk():
        yield "new 0\n"
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left"):
        atomic_write(path, lines_then_a_full_disk())
    assert path.read_text(encoding="utf-8") == "line 0\nline 1\nline 2\n"
    assert [p.name for p in tmp_path.iterdir()] == ["articles.jsonl"]


def test_cache_that_cannot_be_written_at_all_gives_a_build_without_it(site: Path, expected, monkeypatch, capsys):
    """Nothing can be made in .nashra-cache (injected at tempfile.mkstemp, which every write there goes through)."""
    assert build(site) == 0
    change_visit(site)
    real_mkstemp = tempfile.mkstemp
    cache = site / CACHE

    def mkstemp(*args, dir=None, **kwargs):
        if dir is not None and Path(dir).is_relative_to(cache):
            raise PermissionError(13, "Permission denied", str(dir))
        return real_mkstemp(*args, dir=dir, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    before = tree(cache)
    capsys.readouterr()
    assert build(site) == 0
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "warning: cannot use the build cache .nashra-cache/ (.nashra-cache cannot be written to" in err
    assert tree(site / "output") == expected
    assert tree(cache) == before


def test_immutable_cache_folder_gives_a_build_without_it(site: Path, expected, capsys):
    """`chattr +i`, which stops root too (chmod does not, and CI runs as root)."""
    assert build(site) == 0
    change_visit(site)
    cache = site / CACHE
    if shutil.which("chattr") is None:
        pytest.skip("chattr is not installed")
    if subprocess.run(["chattr", "+i", str(cache)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not possible here (not root, or the file system has no such flag)")
    try:
        capsys.readouterr()
        assert build(site) == 0
        err = capsys.readouterr().err
    finally:
        subprocess.run(["chattr", "-i", str(cache)], check=True)
    assert "Traceback" not in err
    assert "warning: cannot use the build cache .nashra-cache/" in err
    assert tree(site / "output") == expected


def add_many_articles(site: Path, count: int) -> None:
    """Short articles, enough that the build makes its pages in forked workers."""
    folder = site / "content/articles/many"
    folder.mkdir(parents=True)
    for n in range(count):
        front = TEST_FRONT.replace("title: عنوان", f"title: عنوان الخبر {n}")
        (folder / f"n{n:04d}.md").write_text(f"{front}\nنص الخبر رقم {n} مع **تفاصيل** عن Reuters.\n", encoding="utf-8")


def corrupt_packs(cache: Path) -> None:
    """As test_corrupt_body_pack_is_never_trusted does: the same length, so every body is found where
    the index says, and fails its checksum."""
    packs = list((cache / "bodies").glob("*.pack"))
    assert packs
    for pack in packs:
        pack.write_bytes(pack.read_bytes().replace(b"<p>", b"[T]"))


def packs(cache: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (cache / "bodies").iterdir()}


def test_corrupt_packs_met_in_forked_workers_are_said_repaired_in_batches_and_trusted_after(
    tmp_path: Path, monkeypatch, capsys
):
    site = make_site(tmp_path / "site")
    add_many_articles(site, 1100)
    monkeypatch.setattr(parallel, "workers", lambda: 2)  # two cores, as CI has, even on a machine with one
    assert build(site) == 0
    expected = tree(site / "output")
    assert len(expected) >= 1100
    corrupt_packs(site / CACHE)
    (site / CACHE / "last-build.json").unlink()
    shutil.rmtree(site / "output")
    forked = parallel.forked_chunks
    capsys.readouterr()
    assert build(site) == 0
    assert parallel.forked_chunks > forked  # the pages were made by forked workers
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "warning: ignoring a corrupt or missing cache file" in err  # said, though found in a worker
    assert tree(site / "output") == expected
    repaired = packs(site / CACHE)
    assert not any(b"[T]" in data for data in repaired.values())  # no corrupt pack survives
    assert len(repaired) <= 1100 // 20  # the repaired bodies are stored in batches, not a pack each
    (site / CACHE / "last-build.json").unlink()
    shutil.rmtree(site / "output")
    forked = parallel.forked_chunks
    assert build(site) == 0
    assert parallel.forked_chunks > forked
    assert "warning" not in capsys.readouterr().err  # no body made again: each would say why
    assert packs(site / CACHE) == repaired
    assert tree(site / "output") == expected


# what is done to the clock's record in last-build.json (the dates of the articles, schedule.to_ticks)
CLOCK_DAMAGE: dict[str, Callable[[list], None]] = {
    "dates out of order": lambda dates: dates.reverse(),
    "a date past year 9999": lambda dates: dates.append(10**20),
    "a date not a number": lambda dates: dates.append("2024-06-17"),
}


@pytest.mark.parametrize("damage", sorted(CLOCK_DAMAGE))
def test_a_damaged_clock_record_is_not_trusted_to_skip_the_build(site: Path, damage: str, monkeypatch, capsys):
    """The session finds that nothing changed by bisecting the recorded dates: unsorted or impossible
    ones would answer wrongly or fail, so the build does its work instead, and says nothing amiss."""
    timings = site.parent / "timings.json"
    monkeypatch.setenv("NASHRA_TIMINGS", str(timings))
    assert build(site) == 0
    expected = tree(site / "output")
    assert build(site) == 0
    assert "read" not in json.loads(timings.read_text(encoding="utf-8"))  # nothing changed: no stage ran
    edit_json(site / CACHE / "last-build.json", lambda data: CLOCK_DAMAGE[damage](data["clock"]["dates"]))
    capsys.readouterr()
    assert build(site) == 0
    assert "Traceback" not in capsys.readouterr().err
    assert "read" in json.loads(timings.read_text(encoding="utf-8"))  # the build was done
    assert tree(site / "output") == expected
    assert build(site) == 0
    assert "read" not in json.loads(timings.read_text(encoding="utf-8"))  # and its record is sound again
