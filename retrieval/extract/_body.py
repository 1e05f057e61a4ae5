"""Cleaning of the body tree trafilatura extracts, where link and heading structure is still known.

Blocks that are mostly the text of links on the page (related-story boxes, "SEE MORE: …" teasers),
lines of page furniture, headings that introduce no text, the standfirst and the repeated title
are dropped before the body is flattened to text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass

from lxml.etree import Element, _Element

from . import _cleaning, _page

# Share of a block's letters that are link text for the block to count as a link.
_LINK_BLOCK_SHARE = 0.8
# Share of a list's items that must be links (or teasers) for the list to be a link box.
_LINK_LIST_SHARE = 0.6
_MAX_LINK_BLOCK_WORDS = 30
_STANDFIRST_WORDS = 8
_TRAILING_LINK_SHARE = 0.6
_LABEL = re.compile(r"^[^:]{1,30}:\s*")


@dataclass(frozen=True, slots=True)
class _Page:
    """What the body rules know of the page beyond the body: its link texts and its title."""

    anchors: set[str]
    title: str | None
    skip: frozenset[str]


def prune(
    body: _Element, anchors: set[str], title: str | None, skip: frozenset[str] = frozenset()
) -> _Element:
    """A copy of the body with link lists, link-only and furniture blocks, the repeated title and the
    standfirst, headings that introduce nothing, and link-heavy blocks trailing after the article
    dropped. `skip` names rules (of BODY_RULES and BLOCK_RULES) to leave out, for measuring each."""
    body = deepcopy(body)
    page = _Page(anchors, title, skip)
    for name, rule in BODY_RULES:
        if name not in skip:
            rule(body, page)
    return body


def _drop_blocks(body: _Element, page: _Page) -> None:
    """Blocks that one of BLOCK_RULES condemns on their own."""
    rules = [rule for name, rule in BLOCK_RULES if name not in page.skip]
    for el in list(body):
        text = _block_text(el)
        if text and any(rule(el, text, page) for rule in rules):
            body.remove(el)


def _link_box(el: _Element, text: str, page: _Page) -> bool:
    if el.tag != "list":
        return False
    items = [t for t in (_block_text(item) for item in el.iter("item")) if t]
    linked = sum(_is_link_block(item, page.anchors) for item in items)
    return not items or linked >= _LINK_LIST_SHARE * len(items)


def _furniture_block(el: _Element, text: str, page: _Page) -> bool:
    return el.tag != "list" and _cleaning.is_furniture(text, page.skip)


def _repeated_title(el: _Element, text: str, page: _Page) -> bool:
    return el.tag != "list" and page.title is not None and same_words(text, page.title, prefix=False)


def _link_paragraph(el: _Element, text: str, page: _Page) -> bool:
    return el.tag in ("p", "quote") and _is_link_block(text, page.anchors)


def _block_text(el: _Element) -> str:
    return " ".join(" ".join(el.itertext()).split())


def _drop_standfirst(body: _Element, page: _Page) -> None:
    """Sentence-long headings before the first paragraph are the standfirst, not the article."""
    for el in list(body):
        if el.tag != "head":
            break
        if len(_block_text(el).split()) >= _STANDFIRST_WORDS:
            body.remove(el)


def _drop_trailing_links(body: _Element, page: _Page) -> None:
    """After the last paragraph of the article come link boxes and their headings. Lists of
    teasers (linked headline plus standfirst) count as link boxes here, and only here: inside
    the article such a list may be the content itself (a news round-up)."""
    for el in reversed(list(body)):
        text = _block_text(el)
        if text and el.tag != "head" and _page.link_share(text, page.anchors) < _TRAILING_LINK_SHARE:
            items = [t for t in (_block_text(item) for item in el.iter("item")) if t]
            teasers = sum(_is_teaser(item, page.anchors) for item in items)
            if not items or teasers < _LINK_LIST_SHARE * len(items):
                break
        body.remove(el)


def _wrap_loose_text(body: _Element, page: _Page) -> None:
    """Give text lying loose between blocks (trafilatura leaves some as tails) a <p> of its own,
    so that it is judged on its own and survives when its neighbour is removed."""
    if body.text and body.text.strip():
        first = Element("p")
        first.text, body.text = body.text, None
        body.insert(0, first)
    for el in list(body):
        if el.tail and el.tail.strip():
            loose = Element("p")
            loose.text, el.tail = el.tail, None
            el.addnext(loose)


def _is_link_block(text: str, anchors: set[str]) -> bool:
    """A short block that is (after an optional "Label:") the text of links: a teaser, not prose.

    Long blocks are exempt: some sites wrap whole article paragraphs in a link.
    """
    if len(text.split()) > _MAX_LINK_BLOCK_WORDS:
        return False
    share = _page.link_share(text, anchors)
    if share < _LINK_BLOCK_SHARE and len(text) > 40:
        share = _page.link_share(_LABEL.sub("", text, count=1), anchors)
    return share >= _LINK_BLOCK_SHARE


def _is_teaser(item: str, anchors: set[str]) -> bool:
    """A list entry made of a linked headline and a line of standfirst."""
    if len(item.split()) > _MAX_LINK_BLOCK_WORDS + 10:
        return False
    return any(len(anchor.split()) >= 3 and item.startswith(anchor) for anchor in anchors)


def _drop_dangling_headings(body: _Element, page: _Page) -> None:
    """A heading introduces text only if some non-heading block follows it before the next
    heading of the same or a higher level."""
    blocks = [el for el in body if _block_text(el)]
    doomed = []
    for i, el in enumerate(blocks):
        if el.tag != "head":
            continue
        level = _heading_level(el)
        introduces = False
        for nxt in blocks[i + 1 :]:
            if nxt.tag != "head":
                introduces = True
                break
            if _heading_level(nxt) <= level:
                break
        if not introduces:
            doomed.append(el)
    for el in doomed:
        body.remove(el)


def _heading_level(el: _Element) -> int:
    match = re.match(r"h([1-6])$", el.get("rend") or "")
    return int(match.group(1)) if match else 6


def same_words(a: str, b: str, prefix: bool = True) -> bool:
    """Same words in the same order; with `prefix`, `a` may also be the start of `b` (a title
    often carries " - Site Name" or a subtitle after it)."""
    words_a = re.findall(r"\w+", a.casefold())
    words_b = re.findall(r"\w+", b.casefold())
    if not words_a:
        return False
    return words_a == words_b or (prefix and len(words_a) >= 4 and words_b[: len(words_a)] == words_a)


# Blocks judged on their own, and the rules over the whole body in the order they run.
BLOCK_RULES: tuple[tuple[str, Callable[[_Element, str, _Page], bool]], ...] = (
    ("link-box", _link_box),
    ("furniture-block", _furniture_block),
    ("repeated-title", _repeated_title),
    ("link-paragraph", _link_paragraph),
)
BODY_RULES: tuple[tuple[str, Callable[[_Element, _Page], None]], ...] = (
    ("loose-text", _wrap_loose_text),
    ("blocks", _drop_blocks),
    ("standfirst", _drop_standfirst),
    ("dangling-headings", _drop_dangling_headings),
    ("trailing-links", _drop_trailing_links),
)


def rule_names() -> tuple[str, ...]:
    return tuple(name for name, _ in BODY_RULES if name != "blocks") + tuple(name for name, _ in BLOCK_RULES)
