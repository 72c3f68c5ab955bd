"""Arabic typography without a browser: isolation of Latin runs, dates, plural forms, heading ids,
corrections, sharing tags, JSON-LD, feeds, and the stylesheet's own rules."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import feedparser
import pytest
from conftest import ROOT, build
from htmltools import find, find_all, parse, text, with_class
from hypothesis import given
from hypothesis import strategies as st

from nashra.body.markdown import render_markdown
from nashra.body.typography import (
    add_heading_anchors,
    count_words,
    isolate_html,
    isolate_text,
    plain_text,
    plural,
    reading_minutes,
    text_direction,
    to_digits,
)
from nashra.dates import DateFormat, hijri_text
from nashra.problems import ContentError
from nashra.read.config import parse_config
from nashra.read.frontmatter import parse_article
from nashra.read.topics import parse_topics
from nashra.words import MINUTE_FORMS

CAIRO = ZoneInfo("Africa/Cairo")
STATIC = ROOT / "templates" / "static"
JUNE_17 = datetime(2024, 6, 17, 19, 1, tzinfo=CAIRO)


def add_article(site: Path, name: str, front: str, body: str = "نص.") -> None:
    path = site / "content/articles/2024/06" / f"{name}.md"
    path.write_text(f"---\n{front.strip()}\n---\n\n{body}\n", encoding="utf-8")


def append_config(site: Path, lines: str) -> None:
    config = site / "site.yml"
    config.write_text(config.read_text(encoding="utf-8") + lines, encoding="utf-8")


# ---- Latin runs ----


def test_latin_name_is_isolated_and_the_number_after_it_left_outside():
    assert isolate_text("نشرت The New York Times 3 تقارير") == "نشرت <bdi>The New York Times</bdi> 3 تقارير"


@pytest.mark.parametrize(
    ("source", "runs"),
    [
        ("مسبار Europa Clipper على صاروخ Falcon Heavy", ["Europa Clipper", "Falcon Heavy"]),
        ("قمة COP29 في باكو", ["COP29"]),
        ("نموذج GPT-4 الجديد", ["GPT-4"]),
        ("شبكات 5G سريعة", ["5G"]),
        ("شركة Procter & Gamble", ["Procter & Gamble"]),
        ("مجلة Nature: Protein design 2024", ["Nature: Protein design 2024"]),
        ("الموقع https://www.bbc.com/arabic، ثم", ["https://www.bbc.com/arabic"]),
        ("وصل إلى U.S. أمس", ["U.S"]),
        ("لا حروف لاتينية هنا 2024", []),
    ],
)
def test_latin_runs(source: str, runs: list[str]):
    assert [plain_text(r) for r in re.findall(r"<bdi>(.*?)</bdi>", isolate_text(source))] == runs


# A number after a Latin name joins the name's run when it belongs to the name (a version, a model, an
# index, an event's year) and stays in the sentence when the sentence counts with it: the word after it
# is an amount, currency, unit, percent, span of time or counted noun. These are the sentences the rule
# was chosen on (CONTRIBUTING.md explains it); add the ones a reader finds wrong. (sentence, its runs)
NUMBER_JOINS_THE_NAME = [
    ("أطلقت Apple نظام iOS 18 رسميًا", ["Apple", "iOS 18"]),
    ("يصل Windows 11 إلى الأجهزة القديمة", ["Windows 11"]),
    ("ارتفع مؤشر S&P 500 بنسبة 1.2%", ["S&P 500"]),
    ("انطلقت بطولة Euro 2024 في ألمانيا", ["Euro 2024"]),
    ("كشفت Apple عن iPhone 15 Pro الجديد", ["Apple", "iPhone 15 Pro"]),
    ("تستضيف أذربيجان قمة COP 29 في باكو", ["COP 29"]),
    ("هاتف Galaxy S24 Ultra متاح الآن", ["Galaxy S24 Ultra"]),
    ("أغلق مؤشر FTSE 100 على ارتفاع", ["FTSE 100"]),
    ("تراجع Nikkei 225 الياباني", ["Nikkei 225"]),
    ("أصدرت Google نظام Android 15 للهواتف", ["Google", "Android 15"]),
    ("تحديث iOS 17.5 يصلح ثغرة أمنية", ["iOS 17.5"]),
    ("طائرات Boeing 737 MAX 9 ممنوعة من الطيران", ["Boeing 737 MAX 9"]),
    ("صاروخ Falcon 9 ينقل 23 قمرًا", ["Falcon 9"]),
    ("سباق Formula 1 في البحرين", ["Formula 1"]),
    ("أعلنت Sony عن PlayStation 5 Pro", ["Sony", "PlayStation 5 Pro"]),
    ("مهمة Artemis 2 تتأجل", ["Artemis 2"]),
    ("معرض Expo 2020 دبي", ["Expo 2020"]),
    ("يدعم Python 3.12 ميزات جديدة", ["Python 3.12"]),
    ("ضمن مستهدفات Vision 2030", ["Vision 2030"]),
    ("حققت Tesla Model 3 مبيعات قياسية", ["Tesla Model 3"]),
    ("ساعة Apple Watch Series 9 الجديدة", ["Apple Watch Series 9"]),
    ("تأجيل إطلاق GTA 6 إلى 2026", ["GTA 6"]),
    ("ينتهي دعم Windows 10 في أكتوبر", ["Windows 10"]),
    ("نظام macOS 15، المعروف باسم Sequoia", ["macOS 15", "Sequoia"]),
    ("مؤشر Nasdaq 100 يسجل مستوى قياسيًا", ["Nasdaq 100"]),
    ("تستخدم Meta نموذج Llama 3 في تطبيقاتها", ["Meta", "Llama 3"]),
    ("ألعاب Paris 2024 الأولمبية", ["Paris 2024"]),
    ("فيلم Dune: Part 2 يتصدر شباك التذاكر", ["Dune: Part 2"]),
    ("قائمة Fortune 500 للشركات الكبرى", ["Fortune 500"]),
    ("حدّث هاتفك إلى iOS 18.", ["iOS 18"]),
    ("هبطت Chandrayaan 3 على القمر", ["Chandrayaan 3"]),
    ("بطاقة Nvidia RTX 4090 الجديدة", ["Nvidia RTX 4090"]),
    ("مقارنة بين iPhone 16 وGalaxy S24", ["iPhone 16", "Galaxy S24"]),
    ("بطولة FIFA World Cup 2026 في أمريكا الشمالية", ["FIFA World Cup 2026"]),
    ("أصبح iOS 18 متاحًا للجميع", ["iOS 18"]),
    ("يحصل Windows 11 على تحديث جديد", ["Windows 11"]),
    ("مسبار Voyager 1 يبتعد", ["Voyager 1"]),
    ("أعلنت Apple عن iPad Pro 13 بوصة", ["Apple", "iPad Pro"]),
    ("تعمل Boeing على 777X", ["Boeing", "777X"]),
    ("مؤشر Russell 2000 للشركات الصغيرة", ["Russell 2000"]),
    ("قالت مجلة Forbes 30 Under 30 إن", ["Forbes 30 Under 30"]),
    ("يدعم Wi-Fi 7 وBluetooth 5.4", ["Wi-Fi 7", "Bluetooth 5.4"]),
    ("تبعد Voyager 1 أكثر من 24 مليار كيلومتر", ["Voyager 1"]),
    ("ارتفع مؤشر CAC 40 الفرنسي", ["CAC 40"]),
    ("أطلقت Xiaomi هاتف Redmi Note 13 بسعر منخفض", ["Xiaomi", "Redmi Note 13"]),
    ("يستعد Windows 12 للإطلاق", ["Windows 12"]),
    ("مركبة Shenzhou 18 تلتحم بالمحطة", ["Shenzhou 18"]),
    ("بطولة Euro 2028 ستقام في بريطانيا", ["Euro 2028"]),
    ("تحديث Android 14 متوفر الآن", ["Android 14"]),
    ("لعبة FIFA 25 تتصدر المبيعات", ["FIFA 25"]),
    ("معالج Snapdragon 8 Gen 3 أسرع", ["Snapdragon 8 Gen 3"]),
    ("قمة G7 2024 في إيطاليا", ["G7 2024"]),
    ("طائرة Airbus A350 1000 الجديدة", ["Airbus A350 1000"]),
    ("يتفوق Gemini 1.5 على منافسيه", ["Gemini 1.5"]),
    ("أغلق DAX 40 مرتفعًا", ["DAX 40"]),
    ("سيارة Tesla Model Y 2025 المحدثة", ["Tesla Model Y 2025"]),
    ("تلسكوب James Webb يرصد مجرة", ["James Webb"]),
    ("مؤتمر WWDC 2024 يبدأ الاثنين", ["WWDC 2024"]),
    ("أطلقت Apple نظام iOS 18 يوم الاثنين", ["Apple", "iOS 18"]),
    ("طرحت Microsoft نظام Windows 11 عام 2021", ["Microsoft", "Windows 11"]),
    ("تأجل إطلاق iOS 18 مرة أخرى", ["iOS 18"]),
    ("يصل iOS 18.1 قريبًا", ["iOS 18.1"]),
    ("حقق Windows 95 نجاحًا كبيرًا", ["Windows 95"]),
]
NUMBER_STAYS_IN_THE_SENTENCE = [
    ("بلغت قيمة Nvidia 3 تريليونات دولار", ["Nvidia"]),
    ("نشرت The New York Times 3 تقارير", ["The New York Times"]),
    ("باعت Tesla 1.8 مليون سيارة", ["Tesla"]),
    ("سرّحت Meta 11 ألف موظف", ["Meta"]),
    ("خسرت Tesla 5% من قيمتها", ["Tesla"]),
    ("ربحت Microsoft 20 مليار دولار", ["Microsoft"]),
    ("أطلقت SpaceX 60 قمرًا صناعيًا", ["SpaceX"]),
    ("ارتفع سهم Apple 2 بالمئة", ["Apple"]),
    ("تراجع Nasdaq 1.5 في المئة", ["Nasdaq"]),
    ("استثمرت Amazon 4 مليارات دولار في Anthropic", ["Amazon", "Anthropic"]),
    ("وظفت Google 500 مهندس", ["Google"]),
    ("غرّمت المفوضية Apple 1.8 مليار يورو", ["Apple"]),
    ("سجل Dow Jones 39,000 نقطة", ["Dow Jones"]),
    ("أمضت NASA 10 سنوات في تطوير المسبار", ["NASA"]),
    ("أحصت Reuters 12 قتيلًا", ["Reuters"]),
    ("استغرق إصلاح Windows 3 ساعات", ["Windows"]),
    ("عرضت Netflix 3 مواسم من المسلسل", ["Netflix"]),
    ("تملك Tesla 6 مصانع حول العالم", ["Tesla"]),
    ("حصد Oppenheimer 7 جوائز", ["Oppenheimer"]),
    ("انضمت إلى BRICS 5 دول جديدة", ["BRICS"]),
    ("باعت Apple 50 مليون iPhone", ["Apple", "iPhone"]),
    ("بلغت إيرادات Aramco 110 مليارات دولار", ["Aramco"]),
    ("جمعت OpenAI 6.6 مليار دولار", ["OpenAI"]),
    ("خفضت Intel 15% من موظفيها", ["Intel"]),
    ("أمهلت المفوضية منصة X 7 أيام", ["X"]),
    ("تضم OPEC 13 دولة", ["OPEC"]),
    ("حذفت Meta 2,000 حساب وهمي", ["Meta"]),
    ("ارتفع Bitcoin 4٪", ["Bitcoin"]),
    ("تراجع سهم Nvidia 10 نقاط", ["Nvidia"]),
    ("تأخرت Boeing 3 أشهر عن الموعد", ["Boeing"]),
    ("سجل Brent 85.3 دولارًا للبرميل", ["Brent"]),
    ("حذرت WHO 3 مرات من الوباء", ["WHO"]),
    ("حققت Apple 94.9 مليار دولار", ["Apple"]),
    ("فاز Real Madrid 3-1 على Barcelona", ["Real Madrid", "Barcelona"]),
    ("يستخدم ChatGPT 200 مليون شخص أسبوعيًا", ["ChatGPT"]),
    ("يتابع Reuters 4 آلاف صحفي", ["Reuters"]),
    ("نقلت Starship 150 طنًا", ["Starship"]),
    ("شاركت NATO 32 دولة في القمة", ["NATO"]),
    ("دفعت Google 2.7 مليار يورو غرامة", ["Google"]),
    ("اشترت Microsoft 485 ألف شريحة", ["Microsoft"]),
    ("أغلقت Amazon 3 مستودعات", ["Amazon"]),
    ("أرسلت NASA 4 رواد إلى المحطة", ["NASA"]),
    ("دفعت Meta 725 مليون دولار", ["Meta"]),
    ("تراجعت أرباح Samsung 12 بالمئة", ["Samsung"]),
    ("أطلقت Apple 3 منتجات جديدة", ["Apple"]),
    ("استقطبت TikTok 150 مليون مستخدم", ["TikTok"]),
    ("انخفض Bitcoin 7 في المئة", ["Bitcoin"]),
    ("حجبت Google 5 تطبيقات", ["Google"]),
    ("أطلقت SpaceX 21 صاروخًا هذا العام", ["SpaceX"]),
    ("شغّلت Tesla 50 ألف محطة شحن", ["Tesla"]),
    ("رصدت WHO 8 حالات جديدة", ["WHO"]),
    ("تغطي Starlink 100 بلد", ["Starlink"]),
    ("أرسلت UNICEF 20 شاحنة مساعدات", ["UNICEF"]),
    ("قطعت Voyager 1 24 مليار كيلومتر", ["Voyager 1"]),
    ("فاز Real Madrid 15 مرة بالبطولة", ["Real Madrid"]),
    ("أمضت NASA 30 عامًا في المشروع", ["NASA"]),
    ("ارتفع Bitcoin 5 %", ["Bitcoin"]),
    ("تعرض iOS 18 لانتقادات بعد Apple 10:30", ["iOS 18", "Apple"]),
    ("نشرت BBC ١٨ تقريرًا", ["BBC"]),
    ("خسرت Nvidia 3\nتريليونات", ["Nvidia"]),
]


@pytest.mark.parametrize(("sentence", "runs"), NUMBER_JOINS_THE_NAME + NUMBER_STAYS_IN_THE_SENTENCE)
def test_number_after_a_latin_name_joins_it_unless_the_sentence_counts_with_it(sentence: str, runs: list[str]):
    assert [plain_text(r) for r in re.findall(r"<bdi>(.*?)</bdi>", isolate_text(sentence), re.DOTALL)] == runs


def test_bidi_marks_override_the_number_rule():
    # Where the rule reads wrong: an unlisted counted noun (دعوات) joins, a name's number before a
    # listed word (مرة) stays out. An RLM after the name keeps the number out, an LRM joins it.
    assert isolate_text("أرسلت Apple 3 دعوات") == "أرسلت <bdi>Apple 3</bdi> دعوات"
    assert isolate_text("أرسلت Apple\u200f 3 دعوات") == "أرسلت <bdi>Apple</bdi>\u200f 3 دعوات"
    assert isolate_text("تعطل Windows 11 مرة ثالثة") == "تعطل <bdi>Windows</bdi> 11 مرة ثالثة"
    assert isolate_text("تعطل Windows\u200e 11 مرة ثالثة") == "تعطل <bdi>Windows\u200e 11</bdi> مرة ثالثة"


def test_authors_override_the_number_rule_in_titles_summaries_and_bodies(site: Path):
    # Titles and summaries are plain text: the marks, as YAML escapes in double quotes. Bodies: the
    # author's own <bdi> (its text is left alone) or the marks as HTML entities.
    add_article(
        site,
        "override",
        r"""
title: "تعطل Windows\u200E 11 مرة ثالثة"
date: 2024-06-20T10:00
topics: [science]
summary: "أرسلت Apple\u200F 3 دعوات."
source:
  name: BBC
""",
        "تعطل <bdi>Windows 11</bdi> مرة ثالثة، وأرسلت <bdi>Apple</bdi> 3 دعوات.\n\n"
        "تعطل Windows&lrm; 11 مرة ثالثة، وأرسلت Apple&rlm; 3 دعوات.",
    )
    assert build(site) == 0
    page = (site / "output/articles/override/index.html").read_text(encoding="utf-8")
    assert "<h1>تعطل <bdi>Windows\u200e 11</bdi> مرة ثالثة</h1>" in page
    assert "أرسلت <bdi>Apple</bdi>\u200f 3 دعوات.</p>" in page
    assert "<p>تعطل <bdi>Windows 11</bdi> مرة ثالثة، وأرسلت <bdi>Apple</bdi> 3 دعوات.</p>" in page
    assert "<p>تعطل <bdi>Windows\u200e 11</bdi> مرة ثالثة، وأرسلت <bdi>Apple</bdi>\u200f 3 دعوات.</p>" in page


def test_isolating_plain_text_escapes_every_piece():
    out = isolate_text("عنوان <script>alert('x')</script> & AT&T")
    assert "<script" not in out
    assert "<bdi>AT&amp;T</bdi>" in out
    assert plain_text(out) == "عنوان <script>alert('x')</script> & AT&T"


def test_isolating_html_changes_only_text_nodes():
    source = (
        '<p>قالت <a href="https://x.org/?a=1&amp;b=2" title="Title Here">Reuters</a> إن <code>print(1)</code> '
        '&amp; <span lang="en">English words</span> <span dir="ltr">Left</span><!-- Latin --></p>\n'
        "<pre>Latin code</pre><p>لا شيء &quot;هنا&quot;</p>"
    )
    out = isolate_html(source)
    assert out == (
        '<p>قالت <a href="https://x.org/?a=1&amp;b=2" title="Title Here"><bdi>Reuters</bdi></a> إن '
        '<code>print(1)</code> &amp; <span lang="en">English words</span> <span dir="ltr">Left</span>'
        "<!-- Latin --></p>\n<pre>Latin code</pre><p>لا شيء &quot;هنا&quot;</p>"
    )


@given(st.text())
def test_isolation_never_changes_the_text(value: str):
    escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "")
    assert plain_text(isolate_html(f"<p>{escaped}</p>")) == value.replace("\r", "")
    assert plain_text(isolate_text(value)) == value


def test_built_pages_isolate_latin_in_arabic_text_only(site: Path):
    add_article(
        site,
        "bbc",
        """
title: "BBC: مسبار Europa Clipper ينطلق"
date: 2024-06-20T10:00
topics: [science]
summary: "أطلقت وكالة NASA مسبار Europa Clipper."
source:
  name: BBC
""",
        "قالت The New York Times إن 3 تقارير صدرت. وقال `code Latin` شيئًا.",
    )
    assert build(site) == 0
    out = site / "output"
    page = (out / "articles/bbc/index.html").read_text(encoding="utf-8")
    assert "<h1><bdi>BBC</bdi>: مسبار <bdi>Europa Clipper</bdi> ينطلق</h1>" in page
    assert "قالت <bdi>The New York Times</bdi> إن 3 تقارير" in page
    assert "<code>code Latin</code>" in page
    # <title> and og:title are text only: no markup there, a leading RLM instead.
    assert "<title>\u200fBBC: مسبار Europa Clipper ينطلق — " in page
    assert '<meta property="og:title" content="\u200fBBC: مسبار Europa Clipper ينطلق">' in page
    card = (out / "topics/science/index.html").read_text(encoding="utf-8")
    assert "<bdi>BBC</bdi>: مسبار <bdi>Europa Clipper</bdi> ينطلق</a>" in card
    assert "أطلقت وكالة <bdi>NASA</bdi> مسبار <bdi>Europa Clipper</bdi>.</p>" in card
    english = (out / "articles/probe/index.html").read_text(encoding="utf-8")
    assert "<h1>Space probe launched</h1>" in english
    assert '<p class="lede">An English-language summary of a probe launch, for the lang test.</p>' in english
    assert "<p>The probe left on schedule.</p>" in english


# ---- direction ----


@pytest.mark.parametrize(
    ("tag", "dir_"), [("ar", "rtl"), ("ar-EG", "rtl"), ("fa", "rtl"), ("he", "rtl"), ("en", "ltr")]
)
def test_direction_comes_from_cldr(tag: str, dir_: str):
    assert text_direction(tag) == dir_


def test_unknown_language_tag_is_a_content_error_not_a_crash(site: Path, capsys):
    add_article(
        site,
        "klingon",
        """
title: عنوان
date: 2024-06-20
topics: [science]
summary: ملخص
source:
  name: مصدر
lang: tlh-nonsense-xx
""",
    )
    assert build(site) == 1
    err = capsys.readouterr().err
    assert "content/articles/2024/06/klingon.md:8: unknown language tag 'tlh-nonsense-xx'" in err
    assert "Traceback" not in err


# ---- dates ----


def config(extra: str = ""):
    return parse_config(f"title: t\ntimezone: Africa/Cairo\n{extra}")


@pytest.mark.parametrize(
    ("locale", "month"), [(None, "يونيو"), ("ar_EG", "يونيو"), ("ar_LB", "حزيران"), ("ar-DZ", "جوان")]
)
def test_date_locale_chooses_month_names(locale: str | None, month: str):
    cfg = config(f"date_locale: {locale}\n" if locale else "")
    assert DateFormat.for_lang(cfg, CAIRO, "ar").full(JUNE_17) == f"الاثنين 17 {month} 2024، 7:01 م بتوقيت القاهرة"


def test_arabic_indic_digits_after_formatting():
    cfg = config("digits: arab\n")
    dates = DateFormat.for_lang(cfg, CAIRO, "ar")
    assert dates.full(JUNE_17) == "الاثنين ١٧ يونيو ٢٠٢٤، ٧:٠١ م بتوقيت القاهرة"
    assert dates.short(JUNE_17) == "١٧ يونيو ٢٠٢٤، ٧:٠١ م"
    # An English article's date keeps its own digits and words.
    english = DateFormat.for_lang(cfg, CAIRO, "en").full(JUNE_17)
    assert english == "Monday, June 17, 2024, 7:01\u202fPM Egypt Time"


def test_timezone_is_named_by_its_city():
    cfg = parse_config("title: t\ntimezone: Asia/Riyadh\n")
    assert DateFormat.for_lang(cfg, ZoneInfo("Asia/Riyadh"), "ar").full(JUNE_17).endswith("بتوقيت الرياض")
    utc = parse_config("title: t\n")
    assert DateFormat.for_lang(utc, ZoneInfo("UTC"), "ar").full(JUNE_17).endswith("بتوقيت غرينتش")


def test_hijri_date():
    assert hijri_text(JUNE_17.date()) == "11 ذو الحجة 1445 هـ"
    assert hijri_text(JUNE_17.date(), "arab") == "١١ ذو الحجة ١٤٤٥ هـ"
    assert hijri_text(datetime(1900, 1, 1).date()) is None  # outside Umm al-Qura tables: no line, no crash


def test_date_settings_in_a_built_site(site: Path):
    append_config(site, "date_locale: ar_LB\ndigits: arab\nshow_hijri: true\n")
    assert build(site) == 0
    out = site / "output"
    doc = parse(out / "articles/visit/index.html")
    time = find(find(doc, "article"), "time")
    assert time.get("datetime") == "2024-06-17T19:01:00+03:00"  # machine-readable: Latin digits, ISO 8601
    assert text(time) == "الاثنين ١٧ حزيران ٢٠٢٤، ٧:٠١ م بتوقيت القاهرة"
    assert text(with_class(doc, "span", "hijri")[0]) == "١١ ذو الحجة ١٤٤٥ هـ"
    english = parse(out / "articles/probe/index.html")
    assert "2024" in text(find(find(english, "article"), "time"))
    assert not with_class(english, "span", "hijri")
    assert "صفحة ٢ من ٣" in text(with_class(parse(out / "page/2/index.html"), "nav", "pagination")[0])
    counts = [text(p).split(" · ")[0] for p in with_class(parse(out / "topics/index.html"), "p", "meta")]
    assert counts == ["٥ أخبار", "خبر واحد", "خبر واحد"]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("date_locale: xx_QQ", "unknown locale 'xx_QQ'"),
        ("digits: roman", "'digits' must be 'latn' or 'arab', not 'roman'"),
        ("show_hijri: sometimes", "'show_hijri' must be true or false"),
    ],
)
def test_bad_date_settings_are_located(line: str, message: str):
    with pytest.raises(ContentError) as caught:
        parse_config(f"title: t\n{line}\n")
    assert [(p.line, p.message) for p in caught.value.problems] == [(2, message)]


# ---- plural forms and reading time ----


@pytest.mark.parametrize(
    ("n", "expected"),
    [(1, "دقيقة واحدة"), (2, "دقيقتان"), (3, "3 دقائق"), (10, "10 دقائق"), (11, "11 دقيقة"), (100, "100 دقيقة")],
)
def test_minutes_take_arabic_plural_forms(n: int, expected: str):
    assert plural(n, MINUTE_FORMS) == expected


def test_reading_time_is_calibrated_for_arabic():
    assert reading_minutes("كلمة " * 140, "ar") == 1
    assert reading_minutes("كلمة " * 420, "ar") == 3
    assert reading_minutes("word " * 420, "en") == 2
    assert reading_minutes("", "ar") == 1


def test_words_are_what_spaces_delimit():
    assert count_words("قال مسؤول في U.S. إن GPT-4\nجاهز") == 7
    assert count_words("  \n") == 0


def test_reading_time_on_the_page(site: Path):
    add_article(
        site,
        "long",
        "title: طويل\ndate: 2024-06-20\ntopics: [science]\nsummary: ملخص\nsource:\n  name: مصدر",
        "كلمة " * 430,
    )
    assert build(site) == 0
    doc = parse(site / "output/articles/long/index.html")
    assert text(with_class(doc, "span", "reading-time")[0]) == "3 دقائق للقراءة"


def test_digits_convert_only_ascii_digits():
    assert to_digits("2024، 7:01", "arab") == "٢٠٢٤، ٧:٠١"
    assert to_digits("2024", "latn") == "2024"


# ---- headings ----


def test_arabic_headings_get_readable_unique_ids():
    html = render_markdown("## الخلفيةُ والسياق\n\nنص\n\n## الخلفية والسياق\n\n## main\n\n## ما التالي؟")
    ids = re.findall(r'<h2 id="([^"]+)"', html)
    assert ids == ["الخلفية-والسياق", "الخلفية-والسياق_1", "main-1", "ما-التالي"]


def test_heading_anchor_sits_beside_the_heading():
    out = add_heading_anchors('<h2 id="خلفية">خلفية <bdi>UN</bdi></h2>', "رابط هذا القسم")
    assert out == (
        '<div class="heading"><h2 id="خلفية">خلفية <bdi>UN</bdi></h2><a class="heading-anchor" href="#خلفية">'
        '<span aria-hidden="true">#</span><span class="visually-hidden">رابط هذا القسم: خلفية UN</span></a></div>'
    )


def test_feeds_carry_heading_ids_but_not_anchor_links(site: Path):
    add_article(
        site,
        "sections",
        "title: أقسام\ndate: 2024-06-30\ntopics: [science]\nsummary: ملخص\nsource:\n  name: مصدر",
        "## الخلفية\n\nنص.",
    )
    assert build(site) == 0
    page = (site / "output/articles/sections/index.html").read_text(encoding="utf-8")
    assert '<a class="heading-anchor" href="#الخلفية">' in page
    feed = (site / "output/feed.xml").read_text(encoding="utf-8")
    assert '<h2 id="الخلفية">الخلفية</h2>' in feed and "heading-anchor" not in feed


# ---- corrections ----

TOPICS, _ = parse_topics("- slug: politics\n  name: سياسة\n")
FRONT = "---\ntitle: t\ndate: 2024-06-17T19:01\ntopics: [politics]\nsummary: s\nsource:\n  name: n\n{extra}---\nنص\n"


def test_correction_is_read_and_needs_an_update_time():
    article, problems = parse_article(
        "a.md", FRONT.format(extra="updated: 2024-06-18T08:00\ncorrection: صحّحنا الاسم.\n"), TOPICS, CAIRO
    )
    assert problems == [] and article.correction == "صحّحنا الاسم."
    _, problems = parse_article("a.md", FRONT.format(extra="correction: صحّحنا الاسم.\n"), TOPICS, CAIRO)
    assert [(p.line, p.code, p.message) for p in problems] == [
        (8, "NSH112", "a 'correction' needs 'updated': the date and time it was corrected")
    ]


def test_correction_note_and_date_modified_on_the_page(site: Path):
    add_article(
        site,
        "fixed",
        """
title: خبر مصحح
date: 2024-06-20T10:00
updated: 2024-06-21T09:15
topics: [science]
summary: ملخص
source:
  name: مصدر
correction: "ذكرت نسخة سابقة أن الاجتماع عقد في CERN، والصحيح أنه عقد في جنيف."
""",
    )
    assert build(site) == 0
    doc = parse(site / "output/articles/fixed/index.html")
    note = with_class(doc, "div", "correction")[0]
    assert find(note, "time").get("datetime") == "2024-06-21T09:15:00+03:00"
    assert text(note).startswith("تصحيح الجمعة 21 يونيو 2024، 9:15 ص بتوقيت القاهرة:")
    assert "<bdi>CERN</bdi>" in (site / "output/articles/fixed/index.html").read_text(encoding="utf-8")
    data = json_ld(doc)
    assert (data["datePublished"], data["dateModified"]) == ("2024-06-20T10:00:00+03:00", "2024-06-21T09:15:00+03:00")


# ---- sharing: Open Graph, Twitter cards, canonical, JSON-LD ----


def meta(doc) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for el in find_all(doc, "meta"):
        key = el.get("property") or el.get("name")
        if key and key.startswith(("og:", "twitter:", "article:")):
            found.setdefault(key, []).append(el.get("content"))
    return found


def json_ld(doc) -> dict:
    scripts = [el for el in find_all(doc, "script") if el.get("type") == "application/ld+json"]
    assert len(scripts) == 1
    return json.loads(scripts[0].text)


def test_article_has_open_graph_and_twitter_tags(out: Path):
    doc = parse(out / "articles/visit/index.html")
    tags = meta(doc)
    host = "https://example.github.io/nashra/"
    assert tags["og:locale"] == ["ar_AR"]
    assert tags["og:type"] == ["article"]
    assert tags["og:url"] == [host + "articles/visit/"] == [find(doc, "link", rel="canonical").get("href")]
    assert tags["og:title"] == ["نيويورك تايمز: زيارة مرتقبة تعمّق التعاون"]
    # the social card (tests/test_cards.py reads the PNG), described in words
    assert tags["og:image"] == [host + "cards/visit.png"] == tags["twitter:image"]
    assert [tags[f"og:image:{key}"] for key in ("width", "height", "type")] == [["1200"], ["630"], ["image/png"]]
    alt = (
        "نشرة الاختبار، سياسة: نيويورك تايمز: زيارة مرتقبة تعمّق التعاون. "
        "الاثنين 17 يونيو 2024، 7:01 م بتوقيت القاهرة. المصدر: نيويورك تايمز"
    )
    assert tags["og:image:alt"] == [alt] == tags["twitter:image:alt"]
    assert tags["twitter:card"] == ["summary_large_image"]
    assert tags["article:section"] == ["سياسة"]
    assert tags["article:published_time"] == ["2024-06-17T19:01:00+03:00"]
    english = meta(parse(out / "articles/probe/index.html"))
    assert english["og:locale"] == ["en_US"] and english["twitter:card"] == ["summary_large_image"]
    home = meta(parse(out / "index.html"))
    assert home["og:type"] == ["website"] and "og:image" not in home
    assert meta(parse(out / "404.html")) == {}


def test_news_article_json_ld(out: Path):
    data = json_ld(parse(out / "articles/visit/index.html"))
    host = "https://example.github.io/nashra/"
    assert data["@context"] == "https://schema.org" and data["@type"] == "NewsArticle"
    assert data["headline"] == "نيويورك تايمز: زيارة مرتقبة تعمّق التعاون"
    assert data["datePublished"] == data["dateModified"] == "2024-06-17T19:01:00+03:00"
    assert data["inLanguage"] == "ar"
    assert data["articleSection"] == ["سياسة"]
    assert data["image"] == [host + "images/route.svg", host + "cards/visit.png"]
    assert data["author"]["name"] == "هيئة التحرير"
    assert data["publisher"] == {"@type": "Organization", "name": "نشرة الاختبار", "url": host}
    assert data["isBasedOn"] == "https://www.nytimes.com/"
    assert data["mainEntityOfPage"]["@id"] == data["url"] == host + "articles/visit/"
    assert json_ld(parse(out / "articles/probe/index.html"))["inLanguage"] == "en"
    no_url = json_ld(parse(out / "articles/talks/index.html"))["isBasedOn"]
    assert no_url["publisher"]["name"] == "أسوشيتد برس"


def test_json_ld_cannot_close_its_script_element(out: Path):
    raw = (out / "articles/unsafe/index.html").read_text(encoding="utf-8")
    block = raw.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in block and ">" not in block
    assert json.loads(block)["headline"] == "عنوان <script>alert('title')</script> خطير"


# ---- feeds ----


def test_feed_content_is_wrapped_in_its_language_and_direction(out: Path):
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    by_link = {e.link.rsplit("/", 2)[-2]: e for e in feed.entries}
    assert by_link["visit"].content[0].value.startswith('<div dir="rtl" lang="ar">')
    assert by_link["probe"].content[0].value.startswith('<div dir="ltr" lang="en">')


def test_feed_titles_starting_with_latin_get_a_right_to_left_mark(site: Path):
    add_article(
        site,
        "bbc",
        'title: "BBC: خبر"\ndate: 2024-06-30\ntopics: [science]\nsummary: ملخص عن NASA\nsource:\n  name: BBC',
    )
    assert build(site) == 0
    items = {
        i.findtext("link").rsplit("/", 2)[-2]: i
        for feed in ("feed.xml", "topics/science/feed.xml")
        for i in ElementTree.parse(site / "output" / feed).iter("item")
    }
    assert items["bbc"].findtext("title") == "\u200fBBC: خبر"
    assert items["probe"].findtext("title") == "Space probe launched"  # English stays as it is
    assert items["visit"].findtext("title") == "نيويورك تايمز: زيارة مرتقبة تعمّق التعاون"
    assert items["bbc"].findtext("description") == "ملخص عن <bdi>NASA</bdi>"


# ---- the stylesheet ----

PHYSICAL = re.compile(
    r"(?<![\w-])(?:(?:margin|padding|border|inset|scroll-margin|scroll-padding)-(?:left|right)[\w-]*"
    r"|border-(?:top|bottom)-(?:left|right)-radius|left|right)\s*:"
    r"|(?:text-align|float|clear)\s*:\s*(?:left|right)\b"
)


def stylesheets() -> list[Path]:
    sheets = sorted(STATIC.rglob("*.css"))
    assert sheets
    return sheets


def test_stylesheets_use_logical_properties_only():
    for sheet in stylesheets():
        css = re.sub(r"/\*.*?\*/", "", sheet.read_text(encoding="utf-8"), flags=re.DOTALL)
        assert PHYSICAL.findall(css) == [], sheet.name


@pytest.mark.parametrize(
    "rule", ["left: 0", "margin-left: 1rem", "padding-right: 2px", "text-align: right", "float: left"]
)
def test_physical_property_check_catches(rule: str):
    assert PHYSICAL.search(f".x {{ {rule}; }}")


def test_stylesheet_never_asks_for_letter_spacing_capitals_or_justify():
    css = (STATIC / "style.css").read_text(encoding="utf-8")
    assert not re.search(r"letter-spacing\s*:\s*(?!normal|0\b)", css)
    assert not re.search(r"text-transform\s*:\s*(?!none)", css)
    assert not re.search(r"text-align\s*:\s*justify", css)
    assert not re.search(r"font-style\s*:\s*italic", css)


def test_bundled_font_is_subset_woff2_with_licence_and_swap():
    css = (STATIC / "style.css").read_text(encoding="utf-8")
    faces = re.findall(r"@font-face\s*{([^}]*)}", css)
    assert len(faces) == 2
    for face in faces:
        assert "font-display: swap" in face
        src = re.search(r'url\("([^"]+)"\)\s*format\("woff2"\)', face).group(1)
        font = STATIC / src
        assert font.is_file() and 8_000 < font.stat().st_size <= 16 * 1024, src
        assert font.read_bytes()[:4] == b"wOF2"
        ranges = re.search(r"unicode-range:\s*([^;]+);", face).group(1)
        assert "U+0621-063A" in ranges
    assert (STATIC / "fonts/OFL.txt").read_text(encoding="utf-8").count("SIL OPEN FONT LICENSE") >= 1
    assert re.search(r"--font:\s*\"Nashra Naskh\",[^;]*sans-serif;", css)  # a system fallback stack after it
    tool = (ROOT / "tools/subset_font.py").read_text(encoding="utf-8")
    unicodes = "".join(re.findall(r'^\s+"([^"]+)"', tool.split("UNICODES = (", 1)[1].split(")", 1)[0], re.M))
    face_ranges = re.sub(r"\s+", "", re.search(r"unicode-range:\s*([^;]+);", faces[0]).group(1))
    assert unicodes.replace(",", "") == face_ranges.replace(",", "")  # the CSS says what the subset holds


def hex_colour(value: str) -> tuple[float, ...]:
    value = value.lstrip("#")
    return tuple(int(value[i : i + 2], 16) / 255 for i in (0, 2, 4))


def contrast(a: str, b: str) -> float:
    def lum(c):
        r, g, b_ = (v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in hex_colour(c))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b_

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def palettes(css: str) -> dict[str, dict[str, str]]:
    light = re.search(r":root\s*{([^}]*)}", css).group(1)
    dark = re.search(r"prefers-color-scheme:\s*dark\)\s*{\s*:root\s*{([^}]*)}", css).group(1)

    def colours(block: str) -> dict[str, str]:
        return dict(re.findall(r"(--[\w-]+):\s*(#[0-9a-fA-F]{6})\b", block))

    base = colours(light)
    return {"light": base, "dark": base | colours(dark)}


TEXT_COLOURS = ("--text", "--muted", "--accent")
BACKGROUNDS = ("--bg", "--surface", "--accent-soft", "--note-bg")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_text_colour_on_every_background_meets_wcag_aa(scheme: str):
    palette = palettes((STATIC / "style.css").read_text(encoding="utf-8"))[scheme]
    weak = {
        (fg, bg): round(contrast(palette[fg], palette[bg]), 2)
        for fg in TEXT_COLOURS
        for bg in BACKGROUNDS
        if contrast(palette[fg], palette[bg]) < 4.5
    }
    assert weak == {}


def test_palette_check_catches_a_pale_colour():
    css = (STATIC / "style.css").read_text(encoding="utf-8").replace("--muted: #55565b;", "--muted: #a9a9a9;", 1)
    palette = palettes(css)["light"]
    assert contrast(palette["--muted"], palette["--bg"]) < 4.5
