"""content/topics.yml -> Topic (or problems): one reader for the build, `check` and `new`."""

from __future__ import annotations

from pathlib import Path

from yaml.nodes import SequenceNode

from ..layout import TOPICS_FILE
from ..model import Topic
from ..problems import ContentError, Problem, has_errors, raise_if
from .config import read_text
from .frontmatter import SLUG, SLUG_HINT
from .inputs import Inputs
from .yamlnodes import Reader

MISSING_HINT = "list the site's topics there"


def parse_topics(text: str, path: str = TOPICS_FILE) -> tuple[tuple[Topic, ...], list[Problem]]:
    r = Reader(path)
    node = r.compose(text)
    topics: list[Topic] = []
    if node is not None and not isinstance(node, SequenceNode):
        r.error(node, "NSH005", "topics.yml must be a list of topics, each starting with '- slug: ...'")
    elif node is not None:
        seen: dict[str, int] = {}
        for item in node.value:
            fields = r.mapping(item, ("slug", "name", "description"), "a topic", required=("slug", "name"))
            if fields is None or "slug" not in fields or "name" not in fields:
                continue
            slug = r.text(fields["slug"], "slug")
            name = r.text(fields["name"], "name")
            description = (
                r.text(fields["description"], "description", required=False) if "description" in fields else ""
            )
            if slug is None or name is None:
                continue
            if not SLUG.match(slug):
                r.error(fields["slug"], "NSH106", f"topic slug '{slug}' is not valid", SLUG_HINT)
            elif slug in seen:
                r.error(
                    fields["slug"],
                    "NSH107",
                    f"topic slug '{slug}' is used twice (first on line {seen[slug]})",
                    "give each topic its own slug",
                )
            else:
                seen[slug] = r.line(fields["slug"])
                topics.append(Topic(slug, name, description or ""))
    if node is not None and not topics and not has_errors(r.problems):
        r.error(node, "NSH005", "topics.yml lists no topics", "add at least one '- slug: ...' entry")
    return tuple(topics), r.problems


def read_topics(root: Path, inputs: Inputs | None = None) -> tuple[tuple[Topic, ...], list[Problem]]:
    """The site's topics.yml, read and checked: its topics, and every problem (NSH201 when it is missing)."""
    if refused := (inputs or Inputs(root)).judge(TOPICS_FILE):  # never read what leads outside
        return (), [refused]
    path = root / TOPICS_FILE
    if not path.is_file():
        return (), [Problem(TOPICS_FILE, 0, 0, "NSH201", f"{TOPICS_FILE} is missing", MISSING_HINT)]
    try:
        text = read_text(path, TOPICS_FILE)
    except ContentError as exc:
        return (), list(exc.problems)
    return parse_topics(text)


def load_topics(root: Path) -> tuple[Topic, ...]:
    """The site's topics; ContentError on any error."""
    topics, problems = read_topics(root)
    raise_if(problems)
    return topics
