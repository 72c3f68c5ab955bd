"""Generate a deterministic Arabic news corpus of N articles, shaped like real ones, for the benchmark.

    python bench/generate.py --articles 10000 [--seed 2024] DEST

DEST becomes a complete Nashra site with every feature on: site.yml (every setting of
nashra/read/config.py), 40 topics, a sources registry (content/sources.yml), editor's notes
(content/editions/) on about one day in ten, a pool of 24 JPEG photos (1600x900, made here
with Pillow), and templates/ copied from this repository. Each article has 300 to 900 words of
Arabic with headings, lists, a quote, bold text, Latin names with numbers inside the sentences
(`Airbus A350-1000`, `G20`) and 3 to 8 inline links (to outside reports and to other articles);
about a quarter has a table, a third a lead image, one in ten an image in its body. The newest
article is dated NEWEST and the others go back from it, about 15 a day.

The same N and seed always give the same files; every build of the corpus should use
`--now` CLOCK, so that its output (the news sitemap's 48 hours) does not depend on the day.
"""

from __future__ import annotations

import argparse
import io
import random
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOPICS = 40
NEWEST = datetime(2026, 6, 30, 20, 0)  # the newest article's date; the others go back from it
CLOCK = NEWEST + timedelta(hours=1)  # the builds' --now: every article published, the newest in the news sitemap
MINUTES_APART = 97  # between two articles, on average (about 15 a day)
PHOTOS = 24  # the pool of JPEGs the articles share
PHOTO_SIZE = (1600, 900)
WORDS_TEXT = (
    "الرئيس الحكومة البرلمان الوزير الاقتصاد السوق البنك المركزي الفائدة التضخم الصادرات الواردات النفط "
    "الغاز الطاقة المتجددة المناخ الأمطار الجفاف الزراعة المياه الصحة المستشفى اللقاح الدراسة الجامعة "
    "الباحثون العلماء الفضاء المسبار التقنية الذكاء الاصطناعي الشركات الاستثمار العاصمة المدينة القرية "
    "الحدود المفاوضات الاتفاق الهدنة المساعدات اللاجئين المنظمة الدولية الأمم المتحدة التقرير الصحيفة "
    "الوكالة المسؤولون مصادر أعلن أكد قال أوضح أشار كشف نقل ذكر رأى توقع حذر دعا طالب رحب انتقد وافق رفض "
    "بحث ناقش استعرض قرر اليوم أمس الأسبوع الماضي الشهر المقبل العام الجاري خلال بعد قبل منذ حتى بين على "
    "في من إلى عن مع جديد كبير صغير مهم واسع سريع بطيء مرتفع منخفض رسمي محلي إقليمي عالمي "
)
WORDS = WORDS_TEXT.split()
# Latin names as news writes them inside Arabic sentences, many with a number that is part of the name
LATIN = (
    "Airbus A350-1000", "Boeing 737 MAX", "G20", "G7", "COP29", "iPhone 16", "Windows 11", "GPT-4",
    "S&P 500", "Euro 2024", "F-35", "Reuters", "NASA", "OpenAI", "IMF", "UNESCO", "Bloomberg",
    "The New York Times", "Nvidia", "Europa Clipper", "BRICS", "Covid-19", "Formula 1", "Apple",
)  # fmt: skip
COUNTED = ("مليار دولار", "مليون نسمة", "في المئة", "نقطة أساس", "دولة", "تريليونات")  # a number the next word counts
SOURCES = (  # slug, name, url, country, language
    ("reuters", "رويترز", "https://www.reuters.com/", "GB", "en"),
    ("ap", "أسوشيتد برس", "https://apnews.com/", "US", "en"),
    ("nyt", "نيويورك تايمز", "https://www.nytimes.com/", "US", "en"),
    ("bbc-arabic", "بي بي سي عربي", "https://www.bbc.com/arabic/", "GB", "ar"),
    ("guardian", "الغارديان", "https://www.theguardian.com/", "GB", "en"),
    ("aljazeera", "الجزيرة نت", "https://www.aljazeera.net/", "QA", "ar"),
    ("afp", "فرانس برس", "https://www.afp.com/ar/", "FR", "ar"),
    ("lemonde", "Le Monde", "https://www.lemonde.fr/", "FR", "fr"),
    ("bloomberg", "بلومبرغ", "https://www.bloomberg.com/", "US", "en"),
    ("who", "منظمة الصحة العالمية", "https://www.who.int/", "CH", "en"),
    ("nature", "Nature", "https://www.nature.com/", "GB", "en"),
    ("asharq", "الشرق الأوسط", "https://aawsat.com/", "SA", "ar"),
)
OUTSIDE = (  # sites an article links to besides its source
    "https://www.un.org/ar/", "https://www.imf.org/en/Publications/", "https://data.worldbank.org/indicator/",
    "https://www.who.int/ar/news/", "https://climate.copernicus.eu/", "https://www.nasa.gov/missions/",
    "https://www.opec.org/opec_web/en/", "https://ec.europa.eu/eurostat/",
)  # fmt: skip
SITE_YML = """\
# The benchmark's site: every setting of nashra/read/config.py set, every feature on.
title: نشرة الاختبار
description: ملخصات قصيرة بالعربية لأهم ما تنشره الصحف ووكالات الأنباء حول العالم، مع ذكر المصدر ورابطه.
base_url: https://example.github.io/nashra/
language: ar
timezone: Africa/Cairo
per_page: 20
feed_items: 50
# cname is left out: it would make base_url the domain's root, and the bench builds a project site
author: هيئة التحرير
date_locale: ar_EG
digits: latn
show_hijri: true
email_from: نشرة الاختبار <editions@example.org>
"""


@dataclass(frozen=True, slots=True)
class Planned:
    """One article's place: its number, date and file, known before any article is written (links need them)."""

    n: int
    date: datetime

    @property
    def slug(self) -> str:
        return f"article-{self.n:05d}"

    @property
    def relpath(self) -> str:
        return f"content/articles/{self.date:%Y/%m}/{self.slug}.md"


def words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(count))


def sentence(rng: random.Random, links: list[str]) -> str:
    parts = [rng.choice(WORDS) for _ in range(rng.randint(8, 18))]
    if rng.random() < 0.3:
        parts.insert(rng.randint(1, len(parts) - 1), rng.choice(LATIN))
    if rng.random() < 0.2:
        parts.insert(rng.randint(1, len(parts) - 1), f"{rng.randint(2, 900)} {rng.choice(COUNTED)}")
    if rng.random() < 0.15:
        parts.insert(rng.randint(1, len(parts) - 1), f"**{words(rng, 2)}**")
    if links and rng.random() < 0.35:
        parts.insert(rng.randint(1, len(parts) - 1), links.pop())
    return " ".join(parts) + "."


def table(rng: random.Random) -> str:
    columns = rng.randint(3, 4)
    head = ["البند", *(words(rng, 1) for _ in range(columns - 1))]
    rows = [[words(rng, 2), *(f"{rng.uniform(0, 999):.1f}" for _ in head[1:])] for _ in range(rng.randint(3, 7))]
    lines = [head, ["---"] * columns, *rows]
    return "\n".join("| " + " | ".join(row) + " |" for row in lines)


def body(rng: random.Random, links: list[str], figure: str | None) -> str:
    """300 to 900 words; every link of `links` placed in a sentence, `figure` (an image) after a paragraph."""
    target = rng.randint(300, 900)
    parts: list[str] = []
    count = 0
    with_table = rng.random() < 0.25
    while count < target or links:
        kind = rng.random()
        if kind < 0.07 and parts:
            sub = any(part.startswith("## ") for part in parts) and rng.random() < 0.3  # never skips a level
            parts.append(("### " if sub else "## ") + words(rng, rng.randint(3, 6)))
        elif kind < 0.12:
            items = [words(rng, rng.randint(4, 9)) for _ in range(rng.randint(3, 5))]
            numbered = rng.random() < 0.4
            parts.append("\n".join(f"{f'{i}.' if numbered else '-'} {item}" for i, item in enumerate(items, 1)))
            count += 6 * len(items)
        elif kind < 0.16:
            quote = sentence(rng, links)
            parts.append("> " + quote)
            count += len(quote.split())
        else:
            paragraph = " ".join(sentence(rng, links) for _ in range(rng.randint(3, 6)))
            count += len(paragraph.split())
            parts.append(paragraph)
            if with_table and count > target // 3:
                parts.append(table(rng))
                with_table = False
            if figure and count > target // 2:
                parts.append(figure)
                figure = None
    if not any(part.startswith("## ") for part in parts):  # every article has a heading and a list
        parts.insert(len(parts) // 2, "## " + words(rng, 4))
    if not any(part.startswith(("- ", "1. ")) for part in parts):
        parts.insert(len(parts) - 1, "\n".join(f"- {words(rng, rng.randint(4, 9))}" for _ in range(3)))
    return "\n\n".join(parts) + "\n"


def inline_links(rng: random.Random, me: Planned, others: list[Planned], source_url: str) -> list[str]:
    """3 to 8 Markdown links: to the source's reports, to other sites, to other articles (by file or address)."""
    links = []
    for i in range(rng.randint(3, 8)):
        text = words(rng, rng.randint(1, 3))
        kind = rng.random()
        if kind < 0.45 and len(others) > 1:
            other = rng.choice(others)
            while other.n == me.n:
                other = rng.choice(others)
            target = f"../../{other.relpath.removeprefix('content/articles/')}"
            links.append(f"[{text}]({target if rng.random() < 0.6 else f'/articles/{other.slug}/'})")
        elif kind < 0.7:
            links.append(f"[{text}]({source_url}{me.date:%Y/%m/%d}/{me.slug}-{i}/)")
        else:
            links.append(f"[{text}]({rng.choice(OUTSIDE)}{rng.randint(1000, 99999)})")
    return links


def article(rng: random.Random, me: Planned, others: list[Planned]) -> str:
    topics = sorted({f"topic-{rng.randrange(TOPICS):02d}" for _ in range(rng.randint(1, 2))})
    slug, name, url, _, _ = rng.choice(SOURCES)
    title = words(rng, rng.randint(5, 10))
    if rng.random() < 0.3:
        title += " " + rng.choice(LATIN)
    summary = words(rng, rng.randint(14, 24)) + "."
    if rng.random() < 0.2:
        source = f"source: {slug}\n"  # a registered outlet by its slug, without a report link
    else:
        source = f"source:\n  name: {name}\n  url: {url}{me.date:%Y/%m/%d}/{me.slug}/\n"
    lead = ""
    if rng.random() < 1 / 3:
        src = f"photo-{rng.randrange(PHOTOS):02d}.jpg"
        lead = f"image:\n  src: {src}\n  alt: {words(rng, 5)}\n  caption: {words(rng, 8)}\n"
    figure = None
    if rng.random() < 0.1:
        figure = f"![{words(rng, 4)}](../../../images/photo-{rng.randrange(PHOTOS):02d}.jpg)"
    correction = ""
    if rng.random() < 0.02:
        updated = me.date + timedelta(hours=rng.randint(1, 12))
        correction = f"updated: {updated:%Y-%m-%dT%H:%M}\ncorrection: {words(rng, 10)}.\n"
    text = body(rng, inline_links(rng, me, others, url), figure)
    return (
        f'---\ntitle: "{name}: {title}"\ndate: {me.date:%Y-%m-%dT%H:%M}\ntopics: [{", ".join(topics)}]\n'
        f'summary: "{summary}"\n{source}author: هيئة التحرير\n{lead}{correction}---\n\n{text}'
    )


def plan(count: int, rng: random.Random) -> list[Planned]:
    """Newest first: article 0 at NEWEST, each next one about MINUTES_APART earlier."""
    offsets, total = [], 0
    for _ in range(count):
        offsets.append(total)
        total += rng.randint(MINUTES_APART - 40, MINUTES_APART + 40)
    return [Planned(n, NEWEST - timedelta(minutes=offset)) for n, offset in enumerate(offsets)]


def photo(rng: random.Random) -> bytes:
    """A 1600x900 JPEG of soft shapes over grain: varied enough that it compresses as a photo does."""
    from PIL import Image, ImageDraw, ImageFilter  # only the generator needs Pillow

    width, height = PHOTO_SIZE
    top, bottom = (tuple(rng.randrange(256) for _ in range(3)) for _ in range(2))
    sky = Image.linear_gradient("L").resize(PHOTO_SIZE)
    image = Image.composite(Image.new("RGB", PHOTO_SIZE, bottom), Image.new("RGB", PHOTO_SIZE, top), sky)
    draw = ImageDraw.Draw(image)
    for _ in range(rng.randint(12, 30)):
        x, y = rng.randrange(width), rng.randrange(height)
        w, h = rng.randint(40, 500), rng.randint(40, 400)
        colour = tuple(rng.randrange(256) for _ in range(3))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)((x, y, x + w, y + h), fill=colour)
    image = image.filter(ImageFilter.GaussianBlur(rng.uniform(2, 8)))
    grain = Image.frombytes("L", (width // 2, height // 2), rng.randbytes(width * height // 4)).resize(PHOTO_SIZE)
    image = Image.blend(image, Image.merge("RGB", (grain, grain, grain)), 0.12)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80, optimize=True)
    return out.getvalue()


def sources_yml() -> str:
    rows = [f"- slug: {s}\n  name: {n}\n  url: {u}\n  country: {c}\n  language: {lg}\n" for s, n, u, c, lg in SOURCES]
    return "# The outlets the benchmark's articles summarise.\n" + "".join(rows)


def topics_yml() -> str:
    rows = (f"- slug: topic-{i:02d}\n  name: قسم {i}\n  description: وصف القسم رقم {i}.\n" for i in range(TOPICS))
    return "".join(rows)


def note(rng: random.Random) -> str:
    title = f"---\ntitle: {words(rng, 3)}\n---\n" if rng.random() < 0.5 else ""
    return title + " ".join(sentence(rng, []) for _ in range(rng.randint(2, 4))) + "\n"


def articles(count: int, seed: int = 2024) -> Iterator[tuple[Planned, str]]:
    """Each article's place and text, newest first (tests/test_fastpaths.py reads their bodies too)."""
    rng = random.Random(seed)
    planned = plan(count, rng)
    for me in planned:
        yield me, article(rng, me, planned)


def generate(dest: Path, count: int, seed: int = 2024) -> None:
    if dest.exists():
        shutil.rmtree(dest)
    for folder in ("content/articles", "content/editions", "content/images"):
        (dest / folder).mkdir(parents=True)
    shutil.copytree(ROOT / "templates", dest / "templates")
    (dest / "site.yml").write_text(SITE_YML, encoding="utf-8")
    (dest / "content/topics.yml").write_text(topics_yml(), encoding="utf-8")
    (dest / "content/sources.yml").write_text(sources_yml(), encoding="utf-8")
    rng = random.Random(f"photos and notes {seed}")
    for i in range(PHOTOS):
        (dest / f"content/images/photo-{i:02d}.jpg").write_bytes(photo(rng))
    days = set()
    for me, text in articles(count, seed):
        path = dest / me.relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        days.add(me.date.date())
    for day in sorted(days):
        if rng.random() < 0.1:
            (dest / f"content/editions/{day:%Y-%m-%d}.md").write_text(note(rng), encoding="utf-8")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--articles", type=int, default=1000)
    p.add_argument("--seed", type=int, default=2024)
    p.add_argument("dest", type=Path)
    args = p.parse_args()
    generate(args.dest, args.articles, args.seed)


if __name__ == "__main__":
    main()
