"""The derived-files seam (incremental/derived.py): entries made whole, found again, pruned when unused."""

from __future__ import annotations

import time

import pytest

from nashra.incremental import derived
from nashra.incremental.derived import DerivedFiles

KEY_A, KEY_B = "a" * 32, "b" * 32


def test_an_entry_made_is_found_again_by_a_later_build(tmp_path):
    first = DerivedFiles(tmp_path, "cards")
    assert first.get(KEY_A) is None
    made = first.make(KEY_A, lambda into: (into / "card.png").write_bytes(b"png"))
    assert (made / "card.png").read_bytes() == b"png"
    later = DerivedFiles(tmp_path, "cards")
    assert later.get(KEY_A) == made


def test_an_entry_whose_maker_failed_leaves_nothing_behind(tmp_path):
    files = DerivedFiles(tmp_path, "cards")

    def broken(into):
        (into / "half.png").write_bytes(b"half")
        raise RuntimeError("stopped half way")

    with pytest.raises(RuntimeError):
        files.make(KEY_A, broken)
    assert files.get(KEY_A) is None
    assert list(files.folder.iterdir()) == []


def test_an_incomplete_entry_is_not_trusted_and_is_made_again(tmp_path):
    files = DerivedFiles(tmp_path, "cards")
    (files.folder / KEY_A).mkdir(parents=True)
    (files.folder / KEY_A / "card.png").write_bytes(b"half")  # no completion mark: a build killed mid-rename
    assert files.get(KEY_A) is None
    made = files.make(KEY_A, lambda into: (into / "card.png").write_bytes(b"whole"))
    assert (made / "card.png").read_bytes() == b"whole"


def test_prune_removes_only_entries_this_build_did_not_use(tmp_path):
    old = DerivedFiles(tmp_path, "photos")
    old.make(KEY_A, lambda into: None)
    old.make(KEY_B, lambda into: None)
    (old.folder / "stray.txt").write_text("left by an older layout")
    now = DerivedFiles(tmp_path, "photos")
    assert now.get(KEY_A) is not None
    now.prune()
    assert sorted(p.name for p in now.folder.iterdir()) == [KEY_A]
    worker_made = DerivedFiles(tmp_path, "photos")
    worker_made.use(KEY_A)  # made or read in a forked worker: counted in the parent
    worker_made.prune()
    assert (now.folder / KEY_A).is_dir()


def test_many_unused_files_are_moved_aside_at_once_and_removed_in_the_background(tmp_path, monkeypatch):
    monkeypatch.setattr(derived, "BACKGROUND_REMOVAL_FROM", 50)  # 2,000 files in a build
    old = DerivedFiles(tmp_path, "search")
    old.make(KEY_A, lambda into: [(into / f"{n}.pf_fragment").write_bytes(b"x") for n in range(100)])
    old.make(KEY_B, lambda into: None)
    spawned, remove_tree = [], derived.remove_tree

    def removing(path, background):
        spawned.append(background)
        remove_tree(path, background)

    monkeypatch.setattr(derived, "remove_tree", removing)
    now = DerivedFiles(tmp_path, "search")
    assert now.get(KEY_B) is not None
    now.prune()
    assert spawned == [True]
    assert [p.name for p in now.folder.iterdir()] == [KEY_B]  # at once: the old entry is no longer the kind's
    for _ in range(100):  # the remover, a process of its own, is done within seconds
        if not list(tmp_path.glob("derived/.removed-*")):
            break
        time.sleep(0.1)
    assert sorted(p.name for p in (tmp_path / "derived").iterdir()) == ["search"]


def test_a_removal_cut_short_is_finished_by_the_next_prune(tmp_path):
    left = tmp_path / "derived/.removed-cards-x1"  # a build's, whose remover was killed half way
    (left / KEY_A).mkdir(parents=True)
    (left / KEY_A / "card.png").write_bytes(b"png")
    (left / ".nashra-build").write_bytes(b"")
    other = tmp_path / "derived/.removed-photos-x2"  # another kind's: its own prune's
    other.mkdir()
    (other / ".nashra-build").write_bytes(b"")
    files = DerivedFiles(tmp_path, "cards")
    files.make(KEY_B, lambda into: None)
    files.prune()
    for _ in range(100):
        if not left.exists():
            break
        time.sleep(0.1)
    assert not left.exists() and other.exists()
    assert [p.name for p in files.folder.iterdir()] == [KEY_B]


@pytest.mark.parametrize("key", ["../escape", "A" * 32, "", "a" * 15, "a/" + "b" * 30])
def test_keys_that_are_not_digests_are_refused(tmp_path, key):
    with pytest.raises(ValueError):
        DerivedFiles(tmp_path, "cards").get(key)


def test_kinds_are_plain_names(tmp_path):
    with pytest.raises(ValueError):
        DerivedFiles(tmp_path, "../cards")
