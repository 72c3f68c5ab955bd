"""Archives -> planned pages: /archive/ (the years), /archive/YYYY/ (its months), /archive/YYYY/MM/ (the
month's articles, paginated at /archive/YYYY/MM/page/N/), and their rows in the sitemap."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from jinja2 import Template

from ..archives import ArchiveMonth, Archives, ArchiveYear
from ..incremental.digests import digest
from ..incremental.keys import PageKeys
from ..model import ListPage, Site
from ..output import Planned
from ..urls import Urls
from ..words import WORDS
from .pages import Frame, chrome, list_key, nav_html, render


@dataclass(frozen=True, slots=True)
class Period:
    """A year or a month as the archive lists it."""

    name: str
    url: str
    count_text: str
    hijri_text: str | None
    datetime: str  # 2024, 2024-06: for <time>


def plan_archives(site: Site, archives: Archives, templates: dict[str, Template], keys: PageKeys) -> list[Planned]:
    u = Urls(site.config.base_url)
    frame = Frame(site, u, functools.cache(lambda current: nav_html(site, u, templates["_nav.html"], current)))
    fp = keys.fingerprint
    plan = [
        Planned(
            archives.site_path + "index.html",
            digest(fp, "archive", *(f"{y.year}={y.count}" for y in archives.years)),
            lambda: render(templates["archive.html"], context_for_archive(frame, archives)),
        )
    ]
    for year in archives.years:
        plan.append(
            Planned(
                year.site_path + "index.html",
                digest(fp, "archive-year", str(year.year), *(f"{m.month}={m.count}" for m in year.months)),
                lambda year=year: render(templates["archive.html"], context_for_year(frame, archives, year)),
            )
        )
        for month in year.months:
            for page in month.pages:
                plan.append(
                    Planned(
                        page.out_path,
                        digest(list_key(keys, page), "archive-month"),
                        lambda m=month, p=page, y=year: render(
                            templates["list.html"], context_for_month(frame, archives, y, m, p)
                        ),
                    )
                )
    return plan


def archive_sitemap(u: Urls, archives: Archives) -> list[tuple[str, str | None]]:
    """(address, last modified) of every archive page, for the sitemap."""

    def newest(entries) -> str | None:
        return max((e.updated_iso or e.date_iso for e in entries), default=None)

    rows = [(u.absolute(archives.site_path), newest(e for y in archives.years for m in y.months for e in m.entries))]
    for year in archives.years:
        rows.append((u.absolute(year.site_path), newest(e for m in year.months for e in m.entries)))
        for month in year.months:
            rows += [(u.absolute(p.out_path.removesuffix("index.html")), newest(p.entries)) for p in month.pages]
    return rows


def context_for_archive(frame: Frame, archives: Archives) -> dict:
    site = frame.site
    periods = tuple(Period(y.name, y.url, y.count_text, y.hijri_text, str(y.year)) for y in archives.years)
    return {
        "chrome": chrome(
            frame,
            title=WORDS["archive"],
            description=WORDS["archive_description"].format(site=site.config.title),
            site_path=archives.site_path,
        ),
        "heading": WORDS["archive"],
        "hijri": None,
        "periods": periods,
        "links": (),
    }


def context_for_year(frame: Frame, archives: Archives, year: ArchiveYear) -> dict:
    site = frame.site
    heading = WORDS["archive_year"].format(year=year.name)
    periods = tuple(
        Period(m.name, m.url, m.count_text, m.hijri_text, f"{m.year:04d}-{m.month:02d}") for m in year.months
    )
    return {
        "chrome": chrome(
            frame,
            title=heading,
            description=WORDS["archive_period_description"].format(
                site=site.config.title, period=year.name, count=year.count_text
            ),
            site_path=year.site_path,
        ),
        "heading": heading,
        "hijri": year.hijri_text,
        "periods": periods,
        "links": ((WORDS["archive_years"], archives.url, False),),
    }


def context_for_month(frame: Frame, archives: Archives, year: ArchiveYear, month: ArchiveMonth, page: ListPage) -> dict:
    site = frame.site
    heading = WORDS["archive_month"].format(month=month.name)
    return {
        "chrome": chrome(
            frame,
            title=heading if page.number == 1 else f"{heading} — {page.name}",
            description=WORDS["archive_period_description"].format(
                site=site.config.title, period=month.name, count=month.count_text
            ),
            site_path=page.out_path.removesuffix("index.html"),
        ),
        "heading": heading,
        "intro": month.hijri_text,
        "page": page,
        "links": (
            (WORDS["archive_months_of"].format(year=year.name), year.url, False),
            (WORDS["archive_years"], archives.url, False),
        ),
        "links_label": WORDS["archive_up"],
    }
