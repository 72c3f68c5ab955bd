"""The words of the site's interface, each defined once: templates print them as `words.<name>`
(a Jinja global, render.pages), Python reads `WORDS["<name>"]` (site.py, render/pages.py).

To translate the interface, translate this file: the phrases, and the plural forms below. `{n}`,
`{total}`, `{site}` and `{minutes}` stand for what Python puts in their place. Articles, topics and
site.yml's title and description are content, not interface: they are never here. How dates are written
(month names, the timezone's name) is in dates.py, by language.
"""

from __future__ import annotations

from types import MappingProxyType

WORDS = MappingProxyType(
    {
        # every page
        "skip_to_content": "تخطَّ إلى المحتوى",
        "sections": "الأقسام",  # the topics: the page that lists them, the navigation's name, a link
        "all_sections": "كل الأقسام",  # the navigation's last link
        "all_sections_of": "كل أقسام {site}",  # the topics page's description
        "footer_note": "كل خبر هنا ملخص بكلماتنا لتقرير من مصدر خارجي، مع ذكر المصدر ورابطه.",
        "follow_site_feed": "تابع النشرة عبر RSS",
        "or_word": "أو",
        # search: the header's form and the search page (render/search.py, static/search.js)
        "search": "البحث",  # the search page's title and heading
        "search_label": "ابحث في الأخبار",  # the name of the header's search box and its form
        "search_button": "ابحث",
        "search_description": "ابحث في كل أخبار {site}.",
        "search_prompt": "اكتب ما تبحث عنه في خانة البحث أعلى الصفحة ثم اضغط Enter.",
        "search_needs_js": "البحث يحتاج إلى تفعيل JavaScript في متصفحك. يمكنك تصفح كل الأخبار في",  # then the link
        "search_loading": "جارٍ البحث…",
        "search_no_results": "لا نتائج لـ«{q}». جرّب كلمة أخرى أو تهجئة أخرى.",
        "search_results_for": "{count} لـ«{q}»",  # {count}: RESULT_FORMS
        "search_failed": "تعذّر البحث الآن. حاول مرة أخرى لاحقًا.",
        "search_results": "نتائج البحث",  # the name of the results' list, for screen readers
        # lists: the home page and the topics' pages
        "latest": "أحدث الأخبار",
        "page_number": "صفحة {n}",  # page 2 and later, in the page's title and heading
        "page_of": "صفحة {n} من {total}",  # between the links to newer and older pages
        "pagination": "التنقل بين الصفحات",  # the name of those links, for screen readers
        "newer": "→ الأحدث",
        "older": "الأقدم ←",
        "follow_topic_feed": "تابع هذا القسم عبر RSS",
        "no_articles_yet": "لا أخبار هنا بعد.",
        # the article page
        "reading_time": "{minutes} للقراءة",  # {minutes}: MINUTE_FORMS
        "heading_link": "رابط هذا القسم",  # the link beside each heading of the body
        "correction": "تصحيح",
        "source": "المصدر:",
        "curator": "إعداد:",
        "updated": "آخر تحديث:",
        "print": "طباعة",
        "print_hint": "الصفحة جاهزة للطباعة: استخدم أمر الطباعة في متصفحك",  # then the keys: (Ctrl+P or ⌘P).
        "more_in": "المزيد في",  # then the article's main topic
        # the page shown for an address that does not exist (404.html)
        "not_found": "الصفحة غير موجودة",
        "not_found_intro": "لم نجد ما تبحث عنه. ربما نُقل الخبر أو تغيّر رابطه. جرّب",  # then the two links
        "home_page": "الصفحة الرئيسية",
        # the editions: a day's articles as one bulletin (/editions/, the home page, the feeds)
        "editions": "الأعداد",  # the editions' index: its heading, and the link to it from an edition
        "edition": "عدد",  # on the home page, before the latest edition's date
        "all_editions": "كل الأعداد",
        "editions_nav": "التنقل بين الأعداد",  # the name of the links to the previous and next editions
        "previous_edition": "→ العدد السابق:",  # then its date
        "next_edition": "العدد التالي:",  # then its date and ←
        "follow_editions_feed": "تابع الأعداد عبر RSS",
        "no_editions_yet": "لا أعداد هنا بعد.",
        "editions_feed_title": "{site}: الأعداد",
        "editions_description": "كل أعداد {site}، يومًا بيوم، الأحدث أولًا.",
        "edition_title": "عدد {date}",
        "edition_description": "أخبار {date} في {site}: {count}.",
        "editor_note": "كلمة المحرر",  # the editor's note's heading when the note has no title
        # the date archives: /archive/, /archive/YYYY/, /archive/YYYY/MM/ (nashra/archives.py)
        "archive": "الأرشيف",  # the footer's link, the index's heading
        "archive_description": "كل أخبار {site} سنةً بسنة وشهرًا بشهر.",
        "archive_year": "أرشيف {year}",
        "archive_month": "أرشيف {month}",
        "archive_period_description": "أخبار {site} في {period}: {count}.",
        "archive_years": "كل السنوات",  # the link from a year or a month up to the index
        "archive_months_of": "كل أشهر {year}",  # the link from a month up to its year
        "archive_up": "التنقل في الأرشيف",  # the name of those links, for screen readers
        "no_archive_yet": "لا أخبار في الأرشيف بعد.",
        # the sources: /sources/ and /sources/<slug>/ (nashra/sources.py)
        "sources": "المصادر",  # the footer's link, the index's heading
        "sources_description": "كل المصادر التي يلخص {site} تقاريرها، وعدد الأخبار من كل منها.",
        "source_description": "أخبار {site} عن {source}: {count}.",
        "source_feed_title": "{site}: {source}",
        "follow_source_feed": "تابع هذا المصدر عبر RSS",
        "all_sources": "كل المصادر",
        "source_site": "موقع المصدر",  # the outlet's own site, on its page
        "original_report": "التقرير الأصلي",  # on the article page, beside the source's name
        # the article's social card (render/cards.py): its text, for og:image:alt
        "card_alt": "{site}، {topic}: {title}. {date}. {source}",
        "no_sources_yet": "لا مصادر هنا بعد.",
        # the edition by e-mail (email.html, email.txt, edition.eml)
        "email_subject": "{site}: عدد {date}",
        "read_edition_online": "اقرأ العدد على الموقع",
        "email_footer": "وصلتك هذه الرسالة من",  # then the site's name, linked
    }
)

# Counted nouns take the form CLDR's plural category for the number asks for (body.typography.plural):
# Arabic has six.
ARTICLE_FORMS = MappingProxyType(
    {
        "zero": "لا أخبار",
        "one": "خبر واحد",
        "two": "خبران",
        "few": "{n} أخبار",
        "many": "{n} خبرًا",
        "other": "{n} خبر",
    }
)
RESULT_FORMS = MappingProxyType(  # the search page's count (static/search.js picks the form)
    {
        "zero": "لا نتائج",
        "one": "نتيجة واحدة",
        "two": "نتيجتان",
        "few": "{n} نتائج",
        "many": "{n} نتيجة",
        "other": "{n} نتيجة",
    }
)
MINUTE_FORMS = MappingProxyType(
    {
        "zero": "أقل من دقيقة",
        "one": "دقيقة واحدة",
        "two": "دقيقتان",
        "few": "{n} دقائق",
        "many": "{n} دقيقة",
        "other": "{n} دقيقة",
    }
)
