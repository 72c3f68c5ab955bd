"""Read built pages with a real HTML5 parser."""

from __future__ import annotations

from pathlib import Path
from xml.etree.ElementTree import Element

import html5lib

NS = "{http://www.w3.org/1999/xhtml}"


def parse(path: Path) -> Element:
    with path.open("rb") as f:
        return html5lib.parse(f, namespaceHTMLElements=True)


def find_all(doc: Element, tag: str) -> list[Element]:
    return list(doc.iter(NS + tag))


def find(doc: Element, tag: str, **attrs: str) -> Element | None:
    for el in find_all(doc, tag):
        if all(el.get(k.rstrip("_")) == v for k, v in attrs.items()):
            return el
    return None


def text(el: Element | None) -> str:
    return "" if el is None else "".join(el.itertext()).strip()


def with_class(doc: Element, tag: str, cls: str) -> list[Element]:
    return [el for el in find_all(doc, tag) if cls in (el.get("class") or "").split()]
