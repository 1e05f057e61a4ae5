"""Cleaning of the body tree trafilatura extracts, where link and heading structure is still known.

The standfirst and the link boxes after the article are dropped before the body is flattened to
text. Each rule is kept for what it earns on the development pages (bench/extraction.py --ablate).
"""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy

from lxml.etree import Element, _Element

from . import _page

# Share of a list's items that must be teasers for the list to be a link box.
_LINK_LIST_SHARE = 0.6
_MAX_TEASER_WORDS = 40
_STANDFIRST_WORDS = 8
_TRAILING_LINK_SHARE = 0.6


def prune(body: _Element, anchors: set[str], skip: frozenset[str] = frozenset()) -> _Element:
    """A copy of the body without its standfirst and the link boxes after the article.

    `skip` names RULES to leave out, for measuring what each earns."""
    body = deepcopy(body)
    for name, rule in RULES:
        if name not in skip:
            rule(body, anchors)
    return body


def _block_text(el: _Element) -> str:
    return " ".join(" ".join(el.itertext()).split())


def _wrap_loose_text(body: _Element, anchors: set[str]) -> None:
    """Give text lying loose between blocks (trafilatura leaves some as tails) a <p> of its own,
    so that it survives when its neighbour is removed and is not run into it."""
    if body.text and body.text.strip():
        first = Element("p")
        first.text, body.text = body.text, None
        body.insert(0, first)
    for el in list(body):
        if el.tail and el.tail.strip():
            loose = Element("p")
            loose.text, el.tail = el.tail, None
            el.addnext(loose)


def _drop_standfirst(body: _Element, anchors: set[str]) -> None:
    """Sentence-long headings before the first paragraph are the standfirst, not the article."""
    for el in list(body):
        if el.tag != "head":
            break
        if len(_block_text(el).split()) >= _STANDFIRST_WORDS:
            body.remove(el)


def _drop_trailing_links(body: _Element, anchors: set[str]) -> None:
    """After the last paragraph of the article come link boxes and their headings. Lists of
    teasers (linked headline plus standfirst) count as link boxes here, and only here: inside
    the article such a list may be the content itself (a news round-up)."""
    for el in reversed(list(body)):
        text = _block_text(el)
        if text and el.tag != "head" and _page.link_share(text, anchors) < _TRAILING_LINK_SHARE:
            items = [t for t in (_block_text(item) for item in el.iter("item")) if t]
            teasers = sum(_is_teaser(item, anchors) for item in items)
            if not items or teasers < _LINK_LIST_SHARE * len(items):
                break
        body.remove(el)


def _is_teaser(item: str, anchors: set[str]) -> bool:
    """A list entry made of a linked headline and a line of standfirst."""
    if len(item.split()) > _MAX_TEASER_WORDS:
        return False
    return any(len(anchor.split()) >= 3 and item.startswith(anchor) for anchor in anchors)


# The rules in the order they run, each with what leaving it out costs in F1 on the 91 dev pages.
RULES: tuple[tuple[str, Callable[[_Element, set[str]], None]], ...] = (
    ("loose-text", _wrap_loose_text),  # 0.0011, one page (a deals list whose items trafilatura left as tails)
    ("standfirst", _drop_standfirst),  # 0.0038 over 13 pages
    ("trailing-links", _drop_trailing_links),  # 0.0021 over 3 pages (newsletter boxes, teaser lists)
)
