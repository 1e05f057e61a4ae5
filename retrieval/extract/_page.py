"""HTML-side helpers for extraction: parsing, hidden-text removal, page metadata, link evidence."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement
from trafilatura.utils import load_html

from retrieval.urls import same_site

# Inline styles that hide an element from a reader.
_HIDING_STYLE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*(?:hidden|collapse)|(?<![\w-])opacity\s*:\s*0(?:\.0+)?\s*(?:;|$|!)"
    r"|font-size\s*:\s*0+(?:\.0+)?\s*(?:px|pt|em|rem|%)?\s*(?:;|$|!)|(?<![\w-])color\s*:\s*transparent",
    re.IGNORECASE,
)
_WHITE = r"(?:white|#fff(?:fff)?|rgba?\(\s*255\s*,\s*255\s*,\s*255\s*(?:,\s*1(?:\.0+)?\s*)?\))"
_WHITE_TEXT = re.compile(rf"(?<![\w-])color\s*:\s*{_WHITE}", re.IGNORECASE)
_WHITE_BACKGROUND = re.compile(rf"background(?:-color)?\s*:\s*{_WHITE}", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
_CONTENT_LANGUAGE = '//meta[translate(@http-equiv, "CONTENTLAGU", "contentlagu")="content-language"]'
_MIN_ANCHOR_CHARS = 8
_NEVER_REMOVED = frozenset({"html", "head", "body"})


def parse(html: str | bytes) -> HtmlElement | None:
    """An lxml tree of the document (bytes are decoded by their declared or detected charset)."""
    tree = load_html(html)
    return tree if isinstance(tree, HtmlElement) else None


def remove_hidden(tree: HtmlElement) -> int:
    """Remove elements a reader cannot see, so their text is neither extracted nor flagged as read.

    Only the markup's own signals count (attributes and inline styles); stylesheets are not
    evaluated. Returns how many elements were removed.
    """
    doomed = {el for el in tree.iter() if isinstance(el.tag, str) and _is_hidden(el)}
    removed = 0
    for el in doomed:
        if el.tag in _NEVER_REMOVED or el.getparent() is None:
            continue
        if any(ancestor in doomed for ancestor in el.iterancestors()):
            continue
        el.drop_tree()
        removed += 1
    return removed


def _is_hidden(el: HtmlElement) -> bool:
    if el.tag in ("template",):
        return True
    if el.get("hidden") is not None or (el.get("aria-hidden") or "").strip().lower() == "true":
        return True
    style = el.get("style")
    if not style:
        return False
    if _HIDING_STYLE.search(style):
        return True
    return bool(_WHITE_TEXT.search(style)) and _on_white(el, style)


def _on_white(el: HtmlElement, own_style: str) -> bool:
    if _WHITE_BACKGROUND.search(own_style):
        return True
    for ancestor in el.iterancestors():
        style = ancestor.get("style") or ""
        if re.search(r"background", style, re.IGNORECASE):
            return bool(_WHITE_BACKGROUND.search(style))
    return False


def anchor_texts(tree: HtmlElement) -> set[str]:
    """Whitespace-normalised texts of the page's links, for telling link lists from prose.

    Single short words ("Home", "News") are left out: they turn up inside any sentence.
    """
    texts = set()
    for a in tree.iter("a"):
        text = _SPACE.sub(" ", a.text_content()).strip()
        if len(text) >= _MIN_ANCHOR_CHARS or (" " in text and len(text) >= 3):
            texts.add(text)
    return texts


def link_share(text: str, anchors: set[str]) -> float:
    """Share of a block's letters and digits that are the text of some link on the page
    (whole-word occurrences only)."""
    text = _SPACE.sub(" ", text).strip()
    if not text:
        return 0.0
    covered = bytearray(len(text))
    for anchor in anchors:
        if len(anchor) > len(text):
            continue
        start = text.find(anchor)
        while start != -1:
            end = start + len(anchor)
            if _word_edge(text, start - 1) and _word_edge(text, end):
                covered[start:end] = b"\x01" * len(anchor)
            start = text.find(anchor, start + 1)
    letters = [i for i, ch in enumerate(text) if ch.isalnum()]
    if not letters:
        return 0.0
    return sum(covered[i] for i in letters) / len(letters)


def _word_edge(text: str, index: int) -> bool:
    return index < 0 or index >= len(text) or not text[index].isalnum()


def own_url(tree: HtmlElement, given: str | None) -> str | None:
    """The URL the document gives itself (canonical link, then og:url), else the one we fetched.

    A fetched page may only name an address on its own registrable domain: any page can claim to be a
    Reuters story, and an article is known by where it was fetched from. A file with no fetched address
    (the operator's own) is taken at its word.
    """
    for value in (
        _first_attr(tree, '//link[translate(@rel, "CANONICAL", "canonical")="canonical"]', "href"),
        _first_attr(tree, '//meta[@property="og:url" or @name="og:url"]', "content"),
    ):
        if not value:
            continue
        absolute = urljoin(given, value.strip()) if given else value.strip()
        parts = urlsplit(absolute)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            continue
        # Some sites point every page's canonical at their home page; the fetched URL knows better.
        if parts.path in ("", "/") and given and urlsplit(given).path not in ("", "/"):
            continue
        if given and not same_site(absolute, given):
            continue
        return absolute
    return given


def language(tree: HtmlElement) -> str | None:
    """Primary language subtag declared by the page (`<html lang>`, og:locale, content-language)."""
    candidates = [
        tree.get("lang") if tree.tag == "html" else None,
        _first_attr(tree, "//html", "lang"),
        _first_attr(tree, '//meta[@property="og:locale"]', "content"),
        _first_attr(tree, _CONTENT_LANGUAGE, "content"),
        _first_attr(
            tree, '//meta[@name="language" or @name="dc.language" or @name="DC.language"]', "content"
        ),
    ]
    for value in candidates:
        if value:
            match = re.match(r"^\s*([A-Za-z]{2,3})(?:[-_]|\s*$|\s*[,;])", value)
            if match:
                return match.group(1).lower()
    return None


def host_name(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url).hostname or ""
    host = host.removeprefix("www.")
    return host or None


def _first_attr(tree: HtmlElement, xpath: str, attr: str) -> str | None:
    for el in tree.xpath(xpath):
        value = el.get(attr)
        if value and value.strip():
            return str(value).strip()
    return None
