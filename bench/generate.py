"""Generate a deterministic Arabic corpus of N articles over 40 topics, for the benchmark.

    python bench/generate.py --articles 10000 DEST

DEST becomes a complete Nashra site (site.yml, content/, templates/ copied from
this repository). The same N always gives the same files.
"""

from __future__ import annotations

import argparse
import random
import shutil
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOPICS = 40
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
LATIN = ["The New York Times", "Reuters", "BBC", "NASA", "OpenAI", "IMF", "G20", "UNESCO", "Bloomberg"]
OUTLETS = [
    ("رويترز", "https://www.reuters.com/"),
    ("بي بي سي عربي", "https://www.bbc.com/arabic"),
    ("نيويورك تايمز", "https://www.nytimes.com/"),
    ("الغارديان", "https://www.theguardian.com/"),
    ("أسوشيتد برس", "https://apnews.com/"),
]


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 18))]
    if rng.random() < 0.2:
        words.insert(rng.randint(1, len(words) - 1), rng.choice(LATIN))
    if rng.random() < 0.15:
        words.insert(rng.randint(1, len(words) - 1), f"**{rng.choice(WORDS)}**")
    return " ".join(words) + "."


def body(rng: random.Random) -> str:
    target = rng.randint(300, 900)
    parts: list[str] = []
    count = 0
    while count < target:
        kind = rng.random()
        if kind < 0.08 and parts:
            parts.append("## " + " ".join(rng.choice(WORDS) for _ in range(4)))
        elif kind < 0.14:
            items = [" ".join(rng.choice(WORDS) for _ in range(6)) for _ in range(3)]
            parts.append("\n".join(f"- {item}" for item in items))
            count += 18
        elif kind < 0.18:
            parts.append("> " + sentence(rng))
            count += 12
        else:
            paragraph = " ".join(sentence(rng) for _ in range(rng.randint(3, 6)))
            count += len(paragraph.split())
            parts.append(paragraph)
    return "\n\n".join(parts) + "\n"


def article(n: int, rng: random.Random, start: datetime) -> tuple[str, str]:
    slug = f"article-{n:05d}"
    date = start + timedelta(minutes=97 * n + rng.randint(0, 50))
    topics = sorted({f"topic-{rng.randrange(TOPICS):02d}" for _ in range(rng.randint(1, 2))})
    outlet, url = rng.choice(OUTLETS)
    title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 11)))
    summary = " ".join(rng.choice(WORDS) for _ in range(rng.randint(14, 24))) + "."
    text = (
        "---\n"
        f'title: "{outlet}: {title}"\n'
        f"date: {date:%Y-%m-%dT%H:%M}\n"
        f"topics: [{', '.join(topics)}]\n"
        f'summary: "{summary}"\n'
        f"source:\n  name: {outlet}\n  url: {url}\n"
        "author: هيئة التحرير\n"
        "---\n\n" + body(rng)
    )
    return f"content/articles/{date:%Y/%m}/{slug}.md", text


def generate(dest: Path, count: int, seed: int = 2024) -> None:
    rng = random.Random(seed)
    if dest.exists():
        shutil.rmtree(dest)
    (dest / "content/articles").mkdir(parents=True)
    shutil.copytree(ROOT / "templates", dest / "templates")
    (dest / "site.yml").write_text(
        "title: نشرة الاختبار\nbase_url: https://example.github.io/nashra/\ntimezone: Africa/Cairo\n", encoding="utf-8"
    )
    topics = "".join(
        f"- slug: topic-{i:02d}\n  name: قسم {i}\n  description: وصف القسم رقم {i}.\n" for i in range(TOPICS)
    )
    (dest / "content/topics.yml").write_text(topics, encoding="utf-8")
    start = datetime(2022, 1, 1, 8, 0)
    for n in range(count):
        relpath, text = article(n, rng, start)
        path = dest / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--articles", type=int, default=1000)
    p.add_argument("--seed", type=int, default=2024)
    p.add_argument("dest", type=Path)
    args = p.parse_args()
    generate(args.dest, args.articles, args.seed)


if __name__ == "__main__":
    main()
