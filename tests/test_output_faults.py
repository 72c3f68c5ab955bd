"""output/ under faults: killed builds, full disks, wrong --output paths, other folders, two builds at once.

Every failed build exits 1 with one clear line and no traceback, and leaves output/ byte-for-byte as it
was, with nothing beside it.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import ROOT, build, make_site, run_cli

from nashra import output
from nashra.output import MARKER, SPARE_STATE, make, write
from nashra.output import tree as tree_module

sys.path.insert(0, str(ROOT / "bench"))
from generate import generate

ARTICLE_TEMPLATE = "templates/article.html"


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def hashes(folder: Path) -> dict[str, str]:
    return {path: hashlib.sha256(data).hexdigest() for path, data in tree(folder).items()}


def beside(site: Path) -> list[str]:
    """What a build leaves in the site's folder besides its inputs."""
    return sorted(p.name for p in site.iterdir() if p.name.startswith(".output") or p.name == "output")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def change_template(site: Path, n: int) -> None:
    """Every article page changes (a comment at the end of its main block)."""
    path = site / ARTICLE_TEMPLATE
    text = re.sub(r"<!-- change \d+ -->\n", "", path.read_text(encoding="utf-8"))
    head, _, tail = text.rpartition("{% endblock %}")
    path.write_text(f"{head}<!-- change {n} -->\n{{% endblock %}}{tail}", encoding="utf-8")


def wait_until_gone(folder: Path, pattern: str) -> list[str]:
    """Leftovers are removed by a detached process: wait (bounded) for it."""
    for _ in range(1200):  # at low priority, on a busy machine, it can take a while
        left = sorted(p.name for p in folder.glob(pattern))
        if not left:
            return []
        time.sleep(0.1)
    return left


# ---- 12: a build killed at any moment ----

# A real build, as build.py runs it, with the background removal used from a smaller tree on
# (the site below has ~1,400 files; the page workers start from 1,000 files made, as always).
BUILD = (
    "import sys; sys.path.insert(0, sys.argv[1]); from nashra.output import tree; "
    "tree.BACKGROUND_REMOVAL_FROM = 200; from nashra.cli import main; sys.exit(main(sys.argv[2:]))"
)
KILLS = {0: 6, 1: 12}  # kind of change -> kills, at moments spread evenly over the build (or its writing)
KILLS_A_BUILD = 3  # killed builds in a row before one is let finish


def schedule() -> list[tuple[int, list[float]]]:
    """Groups of (kind, moments): each group's kills early, middle and late; together every moment."""
    groups: dict[int, list[list[float]]] = {}
    for kind, n in KILLS.items():
        order = [((j * 5) % n + 0.5) / n for j in range(n)]  # 5 is prime to both counts
        groups[kind] = [order[i : i + KILLS_A_BUILD] for i in range(0, n, KILLS_A_BUILD)]
    return [(kind, groups[kind].pop(0)) for kind in (0, 1, 1, 0, 1, 1)]


def start_build(site: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", BUILD, str(ROOT), "build", "--root", str(site)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish_build(site: Path) -> None:
    proc = start_build(site)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err


def trees(site: Path) -> set[str]:
    """The trees a build makes while it writes, beside output/ or the spare, and the spare's manifest."""
    cache = site / ".nashra-cache"
    found = {p.name for pattern in (".output-new-*", ".output-old-*") for p in site.glob(pattern)}
    found |= {p.name for pattern in (".spare-new-*", ".spare-old-*") for p in cache.glob(pattern)}
    return found | ({SPARE_STATE} if (cache / "spare" / SPARE_STATE).exists() else set())


def wait_for_writing(site: Path, proc: subprocess.Popen, before: set[str]) -> None:
    """Until the build begins to write: a new tree appears, or the spare's manifest goes."""
    while proc.poll() is None:
        now = trees(site)
        if now - before or (SPARE_STATE in before and SPARE_STATE not in now):
            return
        time.sleep(0.001)


def test_a_killed_build_leaves_the_previous_or_the_new_output(tmp_path: Path):
    """SIGKILL a real build of 1,200 articles at 18 moments, three in a row before a build is let
    finish, for two kinds of change: a template (every article page is made again, by the forked
    workers; 6 kills spread over the build) and one article's body (a few files made, the rest taken
    from the previous trees; 12 kills spread over its writing, where the moves once were). Each time
    output/ must be one of the two complete sites, and the build that finishes must leave nothing
    behind."""
    site = tmp_path / "site"
    generate(site, 1200)
    finish_build(site)
    article = min((site / "content/articles").rglob("*.md"))
    text = article.read_text(encoding="utf-8")
    changes = [
        lambda n: change_template(site, n),
        lambda n: article.write_text(f"{text}\nفقرة أضيفت في التغيير {n}.\n", encoding="utf-8"),
    ]
    durations = []  # of the whole build for a template, of its writing for a body
    for kind, change in enumerate(changes):
        previous = hashes(site / "output")
        change(100 + kind)
        before = trees(site)
        proc = start_build(site)
        started = time.perf_counter()
        if kind == 1:
            wait_for_writing(site, proc, before)
        begun = time.perf_counter()
        assert proc.wait(timeout=300) == 0
        durations.append(time.perf_counter() - (started if kind == 0 else begun))
        assert hashes(site / "output") != previous
    inputs = sorted(p.name for p in site.iterdir())
    for group, (kind, moments) in enumerate(schedule()):
        previous = hashes(site / "output")
        changes[kind](group)  # a new site, unlike both output/ and the spare
        killed = []
        for moment in moments:  # the next kill starts from what this one left
            before = trees(site)
            proc = start_build(site)
            if kind == 1:  # from when the build begins to write: the moves that once left output/ partial
                wait_for_writing(site, proc, before)
            time.sleep(durations[kind] * moment)
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=60)
            killed.append(hashes(site / "output"))
        finish_build(site)
        new = hashes(site / "output")  # builds are deterministic: the one the killed builds were making
        assert new != previous
        for moment, found in zip(moments, killed, strict=True):
            assert found in (previous, new), f"killed at {moment:.2f} of {'a template' if kind == 0 else 'a body'}"
        assert sorted(p.name for p in site.iterdir()) == inputs, f"group {group}: left beside output/"
    assert wait_until_gone(site / ".nashra-cache", ".spare-*") == []


def test_successive_builds_bring_the_spare_up_to_date(tmp_path: Path):
    """Each build after the second changes the tree that output/ held two builds before (a folder
    becomes a file's place and the reverse, files go): every result equals a cold build's."""
    warm = make_site(tmp_path / "warm")
    steps = [
        lambda root: edit(root / "content/articles/2024/06/visit.md", "صدرت عن الزيارة.", "صدرت عن زيارة."),
        lambda root: (root / "content/articles/2024/05/talks.md").unlink(),
        lambda root: edit(root / "site.yml", "per_page: 2", "per_page: 1"),
        lambda root: change_template(root, 7),
        lambda root: edit(root / "site.yml", "per_page: 1", "per_page: 3"),
    ]
    assert build(warm) == 0
    for n, step in enumerate(steps, start=1):
        step(warm)
        assert build(warm) == 0
        cold = make_site(tmp_path / f"cold{n}")
        for earlier in steps[:n]:
            earlier(cold)
        assert build(cold, "--no-cache") == 0
        assert tree(warm / "output") == tree(cold / "output"), f"after step {n}"
        assert beside(warm) == ["output"]
        assert beside(cold) == ["output"]
    spare = warm / ".nashra-cache/spare"
    assert (spare / MARKER).is_file() and (spare / SPARE_STATE).is_file()
    assert not (warm / "output" / SPARE_STATE).exists()


def test_a_spare_restored_without_its_output_is_removed_in_the_background(tmp_path: Path, monkeypatch):
    """A cache restored where output/ is not (a CI checkout) holds a spare no build can use, maybe a
    whole site's files: the build does not wait for their removal, and ends with the cold build's output."""
    site = make_site(tmp_path / "site")
    assert build(site) == 0
    edit(site / "content/articles/2024/06/visit.md", "صدرت عن الزيارة.", "صدرت عن زيارة.")
    assert build(site) == 0  # now the spare holds the first build's tree
    assert (site / ".nashra-cache/spare" / MARKER).is_file()
    before = tree(site / "output")
    shutil.rmtree(site / "output")
    removals = []
    monkeypatch.setattr(tree_module, "remove_tree", lambda folder, background: removals.append(background))
    assert build(site) == 0
    assert removals == [True]
    assert tree(site / "output") == before
    assert not (site / ".nashra-cache/spare").exists()


def test_leftovers_of_interrupted_builds_are_removed_and_other_folders_kept(site: Path):
    assert build(site) == 0
    for name in (".output-new-abc123", ".output-old-def456"):
        (site / name / "articles").mkdir(parents=True)
        (site / name / MARKER).write_bytes(output.MARKER_TEXT)
        (site / name / "articles/index.html").write_text("partial")
    (site / ".output-new-empty").mkdir()
    backup = site / ".output-old-mybackup"
    backup.mkdir()
    (backup / "index.html").write_text("my own copy")
    edit(site / "content/articles/2024/06/visit.md", "صدرت عن الزيارة.", "صدرت عن زيارة.")
    assert build(site) == 0
    assert build(site, "--no-cache") == 0
    assert wait_until_gone(site, ".output-*-[a-e]*") == []
    assert (backup / "index.html").read_text() == "my own copy"


# ---- 14: a full disk ----


def test_a_full_disk_is_one_clear_line_and_changes_nothing(site: Path, monkeypatch, capsys):
    assert build(site) == 0
    before = tree(site / "output")
    change_template(site, 1)
    real, calls = make._write_one, []

    def write_one(item, folder):
        calls.append(item.path)
        if len(calls) == 5:
            raise OSError(errno.ENOSPC, "No space left on device", f"{folder}/{item.path}")
        return real(item, folder)

    monkeypatch.setattr(make, "_write_one", write_one)
    assert build(site) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2, err
    assert err[0].startswith(f"{site / 'output'}: not enough space on the file system at /")
    assert "more is needed" in err[0] and " is free" in err[0]
    assert tree(site / "output") == before
    assert beside(site) == ["output"]
    assert [p.name for p in (site / ".nashra-cache").glob(".spare-*")] == []


@contextmanager
def small_disk(folder: Path, size: str):
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("mounting a small tmpfs is not permitted here (the injected variant runs everywhere)")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_a_really_full_file_system_keeps_the_previous_output(site: Path, tmp_path: Path):
    with small_disk(tmp_path / "disk", "64k") as disk:
        result = run_cli("--root", str(site), "--output", str(disk / "out"))
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert f"not enough space on the file system at {disk} to write the output folder" in result.stderr
        assert list(disk.iterdir()) == []
    with small_disk(tmp_path / "disk2", "4m") as disk:
        assert run_cli("--root", str(site), "--output", str(disk / "out")).returncode == 0
        st = os.statvfs(disk)
        used = (st.f_blocks - st.f_bfree) * st.f_frsize
        subprocess.run(["mount", "-o", f"remount,size={used * 3 // 2 // 4096 * 4096}", str(disk)], check=True)
        before = tree(disk / "out")
        change_template(site, 1)
        result = run_cli("--root", str(site), "--output", str(disk / "out"))
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert "not enough space" in result.stderr
        assert tree(disk / "out") == before
        assert sorted(p.name for p in disk.iterdir()) == ["out"]


# ---- 15: --output naming a file, or inside the project ----


def project(site: Path) -> Path:
    """The fixture site with the other files a project holds."""
    for name, text in {"README.md": "# readme\n", "build.py": "print()\n", "pyproject.toml": "[project]\n"}.items():
        (site / name).write_text(text)
    for folder in ("nashra", "tests", ".git"):
        (site / folder).mkdir()
        (site / folder / "keep").write_text(folder)
    return site


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("site.yml", "the output path is an existing file"),
        ("README.md", "the output path is an existing file"),
        ("build.py", "the output path is an existing file"),
        ("pyproject.toml", "the output path is an existing file"),
        ("site.yml/sub", "site.yml is a file, so no folder can be made inside it"),
        ("nashra/site", "the output folder would be inside nashra/, a folder of the project"),
        ("tests/out", "the output folder would be inside tests/, a folder of the project"),
        (".git/site", "the output folder would be inside .git/, a folder of the project"),
        (".nashra-cache/site", "the output folder would be inside .nashra-cache/, a folder of the project"),
        ("output/preview", "the output folder would be inside output/, a folder of the project"),
        ("nashra", "the output folder exists and is not a Nashra build"),
    ],
)
def test_output_that_is_a_file_or_inside_the_project_is_refused(site: Path, target: str, message: str, capsys):
    project(site)
    assert build(site) == 0
    before = tree(site)
    assert build(site, "--output", str(site / target)) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"{site / target}: {message}"), err
    assert tree(site) == before
    assert [p.name for p in site.iterdir() if "-old-" in p.name or "-new-" in p.name] == []


def test_refusal_is_a_line_not_a_traceback(site: Path):
    result = run_cli("--root", str(site), "--output", str(site / "site.yml"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "the output path is an existing file" in result.stderr
    assert run_cli("--root", str(site)).returncode == 0  # and the next build works


def test_a_folder_inside_the_project_holding_only_builds_is_accepted(site: Path):
    assert build(site, "--output", str(site / "public/site")) == 0
    change_template(site, 1)
    assert build(site, "--output", str(site / "public/site")) == 0
    assert (site / "public/site/index.html").is_file()


# ---- 16: other folders, other builds, read-only folders ----


def test_another_sites_folder_is_left_alone(site: Path, tmp_path: Path, capsys):
    other = tmp_path / "other-site"
    other.mkdir()
    (other / "index.html").write_text("<p>another generator's site</p>")
    (other / "about.html").write_text("<p>about</p>")
    before = tree(other)
    assert build(site, "--output", str(other)) == 1
    assert "is not a Nashra build (it has no .nashra-build file)" in capsys.readouterr().err
    assert tree(other) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other-site", "site"]


def test_an_output_folder_built_before_the_marker_is_still_replaced(site: Path):
    """A site built by a Nashra from before the marker: its pages say `generator: Nashra`, so the next
    build replaces it instead of refusing it, and the new tree carries the marker."""
    assert build(site, "--no-cache") == 0
    out = site / "output"
    (out / ".nashra-build").unlink()
    assert build(site, "--no-cache") == 0
    assert (out / ".nashra-build").is_file()

HOLD = (
    "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]); from nashra.output import claim_output\n"
    "with claim_output(Path(sys.argv[2]), Path(sys.argv[3])):\n"
    "    print('held', flush=True); sys.stdin.read()"
)


@contextmanager
def build_running(output_folder: Path, root: Path):
    """Another process holding the locks a build holds, as a build does while it runs."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(ROOT), str(output_folder), str(root)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout.readline() == "held\n"
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)


def test_a_second_build_at_once_refuses_and_the_lock_dies_with_its_build(site: Path, tmp_path: Path):
    assert run_cli("--root", str(site)).returncode == 0
    before = tree(site / "output")
    change_template(site, 1)
    with build_running(site / "output", site):
        result = run_cli("--root", str(site))
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert f"{site}: another build is running in this folder (wait for it to finish" in result.stderr
        assert tree(site / "output") == before
    # a build of another site into the same folder
    other = make_site(tmp_path / "other")
    with build_running(site / "output", other) as proc:
        result = run_cli("--root", str(site), "--no-cache")
        assert result.returncode == 1 and "another build is running" in result.stderr
        proc.send_signal(signal.SIGKILL)  # the kernel releases the lock of a killed build
        proc.wait(timeout=30)
        assert run_cli("--root", str(site)).returncode == 0
    assert tree(site / "output") != before
    assert beside(site) == ["output"]


@contextmanager
def immutable(path: Path):
    done = subprocess.run(["chattr", "+i", str(path)], capture_output=True)
    if done.returncode != 0:
        pytest.skip("chattr +i is not available here (the injected variant runs everywhere)")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def test_a_read_only_output_folder_is_one_clear_line(site: Path):
    assert build(site) == 0
    before = tree(site / "output")
    change_template(site, 1)
    with immutable(site / "output"):
        result = run_cli("--root", str(site))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{site / 'output'}: cannot write into this folder: it is read-only or protected" in result.stderr
    assert tree(site / "output") == before
    assert beside(site) == ["output"]


def test_a_read_only_project_folder_is_one_clear_line(site: Path):
    with immutable(site):
        result = run_cli("--root", str(site))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{site}: cannot write into this folder: it is read-only or protected" in result.stderr
    assert not (site / "output").exists()


def test_a_refused_write_is_one_clear_line(site: Path, monkeypatch, capsys):
    assert build(site) == 0
    before = tree(site / "output")
    change_template(site, 1)

    def refused(a, b):
        raise PermissionError(errno.EPERM, "Operation not permitted", b)

    monkeypatch.setattr(write, "exchange", refused)
    assert build(site) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"{site}: cannot write into this folder: Operation not permitted " + (
        "(make it writable (chmod u+w, or chattr -i), or build elsewhere with --output)"
    )
    assert tree(site / "output") == before
    assert beside(site) == ["output"]
    monkeypatch.undo()
    assert build(site) == 0
    assert [p.name for p in (site / ".nashra-cache").glob(".spare-*")] == []
