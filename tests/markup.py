"""A small accessibility check of a rendered page's markup, without a browser: one `<h1>`,
a label for every field, a name for every button and link, no id twice. The browser tests
(axe, tests/e2e/test_a11y_pages.py) see more; this one runs with the fast suite."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser

FIELDS = ("input", "select", "textarea")
# Inputs that need no label: hidden, or a button whose value is its name.
UNLABELLED_TYPES = ("hidden", "submit", "reset", "button", "image")
NAMED = ("button", "a")
VOID = ("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
        "source", "track", "wbr")


@dataclass
class _Open:
    """A button, link or label being read: the text inside it so far."""

    tag: str
    attrs: dict[str, str]
    text: list[str] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.h1 = 0
        self.ids: Counter[str] = Counter()
        self.label_for: set[str] = set()
        self.fields: list[tuple[dict[str, str], bool]] = []  # attrs, inside a <label>
        self.unnamed: list[str] = []
        self.open: list[_Open] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if "id" in attributes:
            self.ids[attributes["id"]] += 1
        if tag == "h1":
            self.h1 += 1
        if tag == "label" and attributes.get("for"):
            self.label_for.add(attributes["for"])
        if tag == "img" and attributes.get("alt"):
            for element in self.open:  # an image's alt text names its link or button
                element.text.append(attributes["alt"])
        if tag in FIELDS:
            inside_label = any(element.tag == "label" for element in self.open)
            self.fields.append((attributes | {"<tag>": tag}, inside_label))
        if tag in (*NAMED, "label"):
            self.open.append(_Open(tag=tag, attrs=attributes))

    def handle_endtag(self, tag: str) -> None:
        if tag not in (*NAMED, "label"):
            return
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index].tag == tag:
                element = self.open.pop(index)
                self._check_name(element)
                return

    def handle_data(self, data: str) -> None:
        for element in self.open:
            element.text.append(data)

    def _check_name(self, element: _Open) -> None:
        if element.tag not in NAMED:
            return
        if element.tag == "a" and "href" not in element.attrs:
            return  # an anchor, not a link
        name = ("".join(element.text).strip() or element.attrs.get("aria-label", "").strip()
                or element.attrs.get("aria-labelledby", "").strip()
                or element.attrs.get("title", "").strip())
        if not name:
            self.unnamed.append(_describe(element.tag, element.attrs))


def _describe(tag: str, attrs: dict[str, str]) -> str:
    shown = " ".join(f'{name}="{value}"' for name, value in attrs.items()
                     if name in ("id", "name", "type", "href", "class"))
    return f"<{tag} {shown}>".replace(" >", ">")


def markup_problems(html: str) -> list[str]:
    """What is wrong with the page's markup, one line each; empty when nothing is."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    problems = []
    if reader.h1 != 1:
        problems.append(f"{reader.h1} <h1> elements, not one")
    for attrs, inside_label in reader.fields:
        tag = attrs.pop("<tag>")
        if tag == "input" and attrs.get("type", "text") in UNLABELLED_TYPES:
            continue
        labelled = (inside_label or attrs.get("id", "") in reader.label_for
                    or attrs.get("aria-label", "").strip()
                    or attrs.get("aria-labelledby", "").strip())
        if not labelled:
            problems.append(f"no label: {_describe(tag, attrs)}")
    problems += [f"no accessible name: {element}" for element in reader.unnamed]
    problems += [f"id used {count} times: {name}" for name, count in reader.ids.items()
                 if count > 1]
    return problems
