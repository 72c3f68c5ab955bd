"""The build warns, once, when its output passes 80% of what GitHub Pages publishes (1 GB)."""

from __future__ import annotations

from pathlib import Path

from conftest import build, make_site

from nashra.output import size


def output_bytes(site: Path) -> int:
    return sum(path.stat().st_size for path in (site / "output").rglob("*") if path.is_file())


def test_an_output_past_80_percent_of_the_limit_is_warned_about_once(tmp_path: Path, monkeypatch, capsys):
    site = make_site(tmp_path / "site")
    assert build(site) == 0
    total = output_bytes(site)
    capsys.readouterr()
    monkeypatch.setattr(size, "PAGES_LIMIT", int(total / 0.9))  # the output is 90% of it
    (site / "templates/article.html").write_text(
        (site / "templates/article.html").read_text(encoding="utf-8") + "{# changed #}\n", encoding="utf-8"
    )  # so that the build writes again
    assert build(site) == 0
    [warning] = capsys.readouterr().err.splitlines()
    shown = output_bytes(site) / 10**9
    assert warning.startswith(f"warning: output/ holds {shown:.2f} GB, 90% of the ")
    assert "GitHub Pages publishes: trim what every page repeats" in warning and "second host" in warning


def test_an_output_under_80_percent_of_the_limit_is_not(tmp_path: Path, monkeypatch, capsys):
    site = make_site(tmp_path / "site")
    assert build(site, "--no-cache") == 0
    total = output_bytes(site)
    monkeypatch.setattr(size, "PAGES_LIMIT", int(total / 0.79))
    capsys.readouterr()
    assert build(site, "--no-cache") == 0
    assert capsys.readouterr().err == ""  # no warning of any kind
