"""Arabic text helpers: Latin runs isolated with <bdi>, Arabic-Indic digits, plural forms.

Pure functions over strings; site.py calls them once per value while it prepares the model.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Mapping

from babel import Locale, UnknownLocaleError
from markupsafe import Markup, escape

# ---- Latin runs inside right-to-left text ----

_L = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff"
# A word starts with a Latin letter (or digits glued to one: 5G) and may hold digits and
# inner connectors (COP29, GPT-4, U.S, AT&T); a run is words joined by spaces or by
# spaced connectors (The New York Times, Procter & Gamble, Nature: Protein design).
_WORD = rf"[0-9]*[{_L}](?:[{_L}0-9]|[-.'’&/+_](?=[{_L}0-9]))*"
_GAP = r"(?:[ \u00a0]+|[ \u00a0]*[&+:,–—-][ \u00a0]+|[ \u00a0]+[&+–—-][ \u00a0]*)"
# A web address is one run as written, or its slashes and dots would be reordered.
_URL = r"(?:https?://|www\.)[^\s<>\"]*[^\s<>\".,:;!?)»،؛]"

# A number after a run (a space between) belongs to the name and joins its run (iOS 18, S&P 500,
# Euro 2024, iPhone 15 Pro) unless the sentence counts with it: the word after it is a magnitude,
# currency, unit, percent, span of time or counted noun (Nvidia 3 تريليونات, The New York Times 3 تقارير,
# Tesla 5%). A counted noun after a number never has a prefix (للهواتف, للشركات: no count), so none is
# stripped. ASCII digits with decimal points may join (17.5, 3.12); a thousands separator (39,000), a
# score or range (3-1), a time (10:30) or Arabic-Indic digits keep the number outside. Authors override
# the rule with bidi marks: U+200E (LRM) between name and number joins them, U+200F (RLM) keeps them
# apart. CONTRIBUTING.md explains it; tests/test_typography.py holds the sentences it was chosen on.
_AR = "\u0621-\u063a\u0641-\u064a\u066e-\u06d3"  # Arabic letters: no tatweel, harakat or digits
_COUNTED = """
    ألف آلاف مئة مائة مئات مليون ملايين مليار مليارات بليون بلايين تريليون تريليونات بالمئة بالمائة
    دولار دولارات يورو جنيه جنيهات ريال ريالات درهم دراهم دينار دنانير ليرة ليرات روبل روبية ين يوان فرنك
    طن أطنان برميل براميل كيلومتر كيلومترات متر أمتار ميل أميال كيلوغرام كيلوغرامات غرام لتر لترات هكتار
    فدان كيلوواط ميغاواط غيغاواط بوصة بوصات إنش غيغابايت ميغابايت تيرابايت ميغابكسل درجة درجات
    ثانية ثوان دقيقة دقائق ساعات أيام أسابيع أشهر شهور سنوات سنين أعوام قرن قرون عقود مرات
    شخص أشخاص قتيل قتلى جريح جرحى مصاب مصابين ضحية ضحايا طفل أطفال امرأة نساء رجل رجال موظف موظفين
    عامل عمال مستخدم مستخدمين مشترك مشتركين مهندس مهندسين صحفي صحفيين لاعب لاعبين مرشح مرشحين نائب نواب
    عضو أعضاء رائد رواد زائر زوار سائح سياح طالب طلاب مريض مرضى جندي جنود مقاتل مقاتلين لاجئ لاجئين
    مهاجر مهاجرين حالة حالات إصابة إصابات وفاة وفيات دولة دول بلد بلدان مدينة مدن تقرير تقارير نقطة نقاط
    شركة شركات مصنع مصانع جهاز أجهزة هاتف هواتف سيارة سيارات طائرة طائرات صاروخ صواريخ قمر أقمار سهم أسهم
    مقعد مقاعد صوت أصوات هدف أهداف مباراة مباريات ميدالية ميداليات جائزة جوائز موسم مواسم حلقة حلقات
    فيلم أفلام لغة لغات حساب حسابات دراسة دراسات صفحة صفحات وظيفة وظائف صورة صور مقال مقالات منتج منتجات
    تطبيق تطبيقات مستودع مستودعات شاحنة شاحنات محطة محطات متجر متاجر فرع فروع مشروع مشاريع قضية قضايا
    رسالة رسائل منشور منشورات شريحة شرائح سفينة سفن ملف ملفات قرار قرارات
"""
# Span words that date rather than count when a definite word, a number, أمس/غد or أخرى/ثانية follows
# them (iOS 18 يوم الاثنين, Windows 11 عام 2021, iOS 18 مرة أخرى).
_WHEN = "يوم عام سنة شهر أسبوع ساعة مرة"


def _spellings(word: str) -> list[str]:
    """A word as patterns, one a letter, that also match its common spellings: any alif with or without
    hamza, final ya or alif maqsura, final ta marbuta or ha."""
    letters = ["[اأإآ]" if c in "اأإآ" else c for c in word]
    letters[-1] = {"ة": "[ةه]", "ي": "[يى]", "ى": "[يى]"}.get(letters[-1], letters[-1])
    return letters


def _words(words: str) -> str:
    """An alternation of `words`, grouped by first letter so that a word that is none of them fails fast."""
    by_first: dict[str, list[str]] = {}
    for word in sorted(set(words.split()), key=len, reverse=True):
        first, *rest = _spellings(word)
        by_first.setdefault(first, []).append("".join(rest))
    return "|".join(f"{first}(?:{'|'.join(rests)})" for first, rests in sorted(by_first.items()))


# The word ends where no Arabic letter follows; harakat and an accusative alif may (قتيلًا, عامًا, دولارًا).
_END = rf"[\u064b-\u0652]*ا?[\u064b-\u0652]*(?![{_AR}])"
_QUANTITY = (
    rf"\s*[%٪]|\s+(?:في\s+الم(?:ئ|ائ)[ةه]|(?:{_words(_COUNTED)}){_END})"
    rf"|\s+(?:{_words(_WHEN)}){_END}(?!\s+(?:ال|[0-9٠-٩]|[اأ]مس|غد|[اأ]خر[ىي]|ثاني[ةه]))"
)
_NUMBER = rf"[0-9]+(?:\.[0-9]+)*(?![0-9{_L}%٪]|[.,٫٬:/–-][0-9])"
# The run's next piece: a word after a gap, a number after spaces (unless the sentence counts with it),
# or a number after an LRM (always).
_NEXT = rf"(?:{_GAP}{_WORD}|[ \u00a0]+{_NUMBER}(?!{_QUANTITY})|[ \u00a0]*\u200e[ \u00a0]*{_NUMBER})"
# (The lookahead only lets the regex engine skip the Arabic text quickly: every run starts so.)
LATIN_RUN = re.compile(rf"(?=[0-9{_L}])(?:{_URL}|{_WORD}{_NEXT}*)")
_LATIN_LETTER = re.compile(rf"[{_L}]")

# Text inside these elements is left exactly as written.
_SKIP = {"code", "pre", "kbd", "samp", "var", "bdi", "bdo", "script", "style", "textarea", "title", "svg", "math"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def isolate_text(text: str) -> Markup:
    """Plain text -> Markup with each Latin run escaped and wrapped in <bdi>."""
    if not LATIN_RUN.search(text):
        return escape(text)
    out: list[str] = []
    last = 0
    for match in LATIN_RUN.finditer(text):
        out.append(str(escape(text[last : match.start()])))
        out.append(f"<bdi>{escape(match.group(0))}</bdi>")
        last = match.end()
    out.append(str(escape(text[last:])))
    return Markup("".join(out))


_MARKUP = re.compile(r"<!--.*?-->|<(/?)([a-zA-Z][^\s/>]*)([^<>]*)>", re.DOTALL)
_ATTRIBUTE = re.compile(r'([^\s="/>]+)(?:\s*=\s*"([^"]*)")?')


_SPLIT = re.compile(r"(<!--.*?-->|<[^<>]*>)", re.DOTALL)  # -> text, tag, text, ..., text
# Any tag or attribute that can make text be left alone: without one, every text node is isolated.
_MAY_SKIP = re.compile(rf"<(?:{'|'.join(sorted(_SKIP))})\b|\s(?:dir|lang)\b", re.IGNORECASE)


def isolate_html(fragment: str) -> str:
    """Wrap the Latin runs of every text node in <bdi>, on sanitised HTML (body.markdown.render_markdown's).

    That HTML is regular: every '<' in text or in an attribute value is escaped and every attribute
    value double-quoted, so a '<' always starts a tag or a comment and a regular expression finds them.
    Tags and comments are copied byte for byte; only text nodes with a Latin run change. Text inside
    code, pre, kbd, bdi and the like, and inside any element that sets its own `dir` or a left-to-right
    `lang`, is left alone.
    """
    parts = _SPLIT.split(fragment)
    if not _MAY_SKIP.search("".join(parts[1::2])):  # most bodies: no element to track
        for i in range(0, len(parts), 2):
            if "&" in parts[i] or _LATIN_LETTER.search(parts[i]):
                parts[i] = _isolated(parts[i])
        return "".join(parts)
    out: list[str] = []
    stack: list[tuple[str, bool]] = []  # open elements: (tag, leaves its text alone)
    skipping = 0  # how many of them leave their text alone
    last = 0
    for match in _MARKUP.finditer(fragment):
        text = fragment[last : match.start()]
        out.append(text if skipping else _isolated(text))
        out.append(match.group(0))
        last = match.end()
        closing, tag, attrs = match.groups()
        if tag is None:
            continue  # a comment
        tag = tag.lower()
        if closing:
            for i in range(len(stack) - 1, -1, -1):
                if stack[i][0] == tag:
                    skipping -= sum(skip for _, skip in stack[i:])
                    del stack[i:]
                    break
        elif tag not in _VOID and not attrs.endswith("/"):
            skip = tag in _SKIP or _sets_own_direction(_attributes(attrs))
            stack.append((tag, skip))
            skipping += skip
    text = fragment[last:]
    out.append(text if skipping else _isolated(text))
    return "".join(out)


def _isolated(raw: str) -> str:
    """A text node of HTML, with its Latin runs isolated, or as it was when it has none."""
    text = html.unescape(raw) if "&" in raw else raw
    return str(isolate_text(text)) if _LATIN_LETTER.search(text) and LATIN_RUN.search(text) else raw


def _attributes(attrs: str) -> dict[str, str | None]:
    return {
        m.group(1).lower(): None if m.group(2) is None else html.unescape(m.group(2))
        for m in _ATTRIBUTE.finditer(attrs)
    }


def _sets_own_direction(attrs: Mapping[str, str | None]) -> bool:
    if attrs.get("dir") is not None:
        return True
    lang = attrs.get("lang")
    return lang is not None and text_direction(lang) != "rtl"


@functools.cache
def direction(lang: str) -> str:
    """`rtl` or `ltr` for a language tag the content was checked to hold."""
    return Locale.parse(lang, sep="-").text_direction


def text_direction(tag: str) -> str:
    """`rtl` or `ltr` for a BCP 47 tag, from CLDR through Babel; `ltr` for an unknown tag."""
    try:
        return Locale.parse(tag, sep="-").text_direction
    except (ValueError, UnknownLocaleError):
        return "ltr"


_HEADING = re.compile(r'<h([1-6])((?:\s[^>]*)?\sid="([^"]+)"[^>]*)>(.*?)</h\1>', re.DOTALL)


def add_heading_anchors(fragment: str, label: str, label_attrs: str = "") -> str:
    """Follow each heading that has an id with a link to it (`#`, named `label: heading`).

    The link sits beside the heading, not inside it, so the heading's own name stays its text.
    `label_attrs` (e.g. ` lang="ar" dir="rtl"`) marks the label's language when the body is in another.
    """

    def anchor(match: re.Match) -> str:
        ident = match.group(3)
        name = html.escape(f"{label}: {' '.join(plain_text(match.group(4)).split())}", quote=False)
        return (
            f'<div class="heading">{match.group(0)}<a class="heading-anchor" href="#{ident}">'
            f'<span aria-hidden="true">#</span><span class="visually-hidden"{label_attrs}>{name}</span></a></div>'
        )

    return _HEADING.sub(anchor, fragment)


def starts_with_latin(text: str) -> bool:
    return bool(LATIN_RUN.match(text.lstrip()))


RLM = "\u200f"  # RIGHT-TO-LEFT MARK


def mark_rtl(text: str, direction: str) -> str:
    """Plain text that cannot hold <bdi> (a feed title, <title>, og:title): a right-to-left text that
    starts with a Latin name gets a leading RLM, so readers that guess the direction from the first
    letter still set it right to left."""
    return RLM + text if direction == "rtl" and starts_with_latin(text) else text


def plain_text(fragment: str) -> str:
    """The text of an HTML fragment, tags dropped and entities decoded."""
    return html.unescape(re.sub(r"<[^>]*>", "", fragment))


# ---- digits ----

DIGIT_SYSTEMS = {"latn": "0123456789", "arab": "٠١٢٣٤٥٦٧٨٩"}


def to_digits(text: str, system: str) -> str:
    """Write the ASCII digits of already formatted text in `system` (`latn` leaves it as is)."""
    return text if system == "latn" else text.translate(str.maketrans("0123456789", DIGIT_SYSTEMS[system]))


# ---- plural forms ----


def plural(n: int, forms: Mapping[str, str], lang: str = "ar", digits: str = "latn") -> str:
    """The form of `forms` (nouns by plural category: words.ARTICLE_FORMS) that CLDR's plural rules
    pick for `n` in `lang`, with `n` in `digits`."""
    return forms[_plural_form(lang, n)].format(n=to_digits(str(n), digits))


@functools.lru_cache(maxsize=1024)
def _plural_form(lang: str, n: int) -> str:
    return Locale.parse(lang, sep="-").plural_form(n)


# ---- reading time ----

WORDS_PER_MINUTE = {"ar": 140}  # Arabic is read more slowly than English: script density, diacritics unwritten
DEFAULT_WORDS_PER_MINUTE = 200


def count_words(text: str) -> int:
    """Words as the spaces between them delimit them: "U.S." and "GPT-4" are one word each.

    (A third of the time of matching runs of word characters, on every body of a cold build.)
    """
    return len(text.split())


def reading_minutes(text: str | int, lang: str) -> int:
    """Whole minutes to read `text` (or that many words), at least 1."""
    words = text if isinstance(text, int) else count_words(text)
    per_minute = WORDS_PER_MINUTE.get(lang.split("-")[0].lower(), DEFAULT_WORDS_PER_MINUTE)
    return max(1, round(words / per_minute))
