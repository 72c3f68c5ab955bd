"""Rules across the articles of a site: unique slugs (naming every file), images that exist.

The links between articles are links.py's rule.
"""

from __future__ import annotations

from ..model import Article
from ..problems import Problem
from .frontmatter import is_web_url


def check_articles(articles: list[Article], images: set[str]) -> list[Problem]:
    """Rules across files: unique slugs (naming every file), images that exist."""
    problems: list[Problem] = []
    by_slug: dict[str, list[Article]] = {}
    for article in articles:
        by_slug.setdefault(article.slug, []).append(article)
        image = article.image
        if image and not is_web_url(image.src) and image.src not in images:
            problems.append(
                Problem(
                    article.path,
                    article.line_of("image"),
                    0,
                    "NSH111",
                    f"image '{image.src}' is not in content/images/",
                    "add the file there, or correct 'src'",
                )
            )
    for slug, group in by_slug.items():
        if len(group) > 1:
            for article in group:
                others = ", ".join(a.path for a in group if a is not article)
                line = article.line_of("slug") or 1
                problems.append(
                    Problem(
                        article.path,
                        line,
                        0,
                        "NSH107",
                        f"slug '{slug}' is also used by {others}",
                        "give each article its own slug",
                    )
                )
    return problems
