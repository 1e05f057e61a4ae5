"""Article text and metadata from an HTML page or a plain-text/Markdown document.

Everything here is synchronous and pure; callers run it in a worker thread with a time limit.
"""

from __future__ import annotations

import re
from copy import deepcopy
from datetime import UTC, datetime

import trafilatura
from lxml.etree import Element, _Element
from lxml.html import HtmlElement
from trafilatura.settings import Document
from trafilatura.xml import xmltotxt

from retrieval import _cleaning, _dates, _injection, _page
from retrieval.types import Extracted

__all__ = ["ExtractError", "clean_text", "extract_html", "extract_text"]

# Less text than this after cleaning is a stub, a paywall teaser or a non-article page.
# Counted in characters: scripts without spaces between words have few "words".
_MIN_CHARS = 100
_LINK_BLOCK_SHARE = 0.8
_LINK_LIST_SHARE = 0.6
_MAX_LINK_BLOCK_WORDS = 30
_STANDFIRST_WORDS = 8
_TRAILING_LINK_SHARE = 0.6
_TITLE_CHARS = 80
_HEADER_DATE = re.compile(r"^\s*date[ \t]+(\d{4}-\d{2}-\d{2})(?:[ \t]*\n|[ \t]+)", re.IGNORECASE)
_HEADER_FIELD = re.compile(r"^\s*(url|title)[ \t]+(\S[^\n]*)(?:\n|$)", re.IGNORECASE)
_MD_HEADING = re.compile(r"^\s*#[ \t]+(\S[^\n]*?)[ \t#]*(?:\n|$)")
_LABEL = re.compile(r"^[^:]{1,30}:\s*")


class ExtractError(Exception):
    """No article text could be found (empty page, not an article, unreadable input)."""


def clean_text(text: str) -> str:
    """NFKC, invisible characters removed, whitespace tidied and page furniture dropped.

    Paragraphs come out separated by one blank line.
    """
    return _cleaning.clean_text(text)


def extract_html(html: str | bytes, url: str | None = None) -> Extracted:
    """Main text and metadata of an article page.

    `url` is the address the page was fetched from; the page's own canonical URL wins over it.
    `published` comes only from publication metadata and is None when the page does not state it.
    Raises ExtractError when the page holds no article text.
    """
    tree = _page.parse(html)
    if tree is None:
        raise ExtractError("not an HTML document")
    _page.remove_hidden(tree)
    page_url = _page.own_url(tree, url)
    anchors = _page.anchor_texts(tree)

    document = _trafilatura(tree, page_url, favor_recall=False)
    site = _outlet(document.sitename, page_url)
    text = _article_text(document, anchors, site)
    if _too_short(text):
        # Balanced mode found (almost) nothing: give the page a second, more generous reading.
        text = _article_text(_trafilatura(tree, page_url, favor_recall=True), anchors, site)
    if _too_short(text):
        raise ExtractError("no article text found")

    description = _clean_field(document.description)
    return Extracted(
        text=text,
        title=_strip_site(_clean_field(document.title), site),
        url=page_url,
        published=_dates.publication_date(tree, page_url),
        author=_clean_field(document.author),
        site=site,
        language=_page.language(tree),
        description=description,
        suspicious=_injection.find(text, description),
    )


def _trafilatura(tree: HtmlElement, url: str | None, favor_recall: bool) -> Document:
    try:
        document = trafilatura.bare_extraction(
            tree,
            url=url,
            favor_recall=favor_recall,
            include_comments=False,
            include_tables=True,
            with_metadata=True,
            # htmldate's own pick is discarded (see _dates); no need to scan the text for it
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception as exc:  # trafilatura raises a variety of parser errors on broken markup
        raise ExtractError(f"extraction failed: {exc}") from exc
    if not isinstance(document, Document):
        raise ExtractError("no article text found")
    return document


def _article_text(document: Document, anchors: set[str], site: str | None) -> str:
    body = _prune_body(document.body, anchors, document.title)
    text = _cleaning.clean_text(xmltotxt(body, False), site=site)
    return _drop_leading_title(text, document.title)


def extract_text(
    text: str,
    url: str | None = None,
    title: str | None = None,
    published: datetime | None = None,
) -> Extracted:
    """An article given as plain text or Markdown (a .txt/.md file, a forwarded message).

    Optional header lines at the very top are read and removed:

        date 2025-02-27        publication date (UTC midnight), overrides `published`
        url https://…          the article's address, if `url` was not given
        title Some headline    the title, if `title` was not given

    The `date` line comes first; the body may follow on the same line. Otherwise a leading
    Markdown `# Heading` becomes the title, or the first line when it is shaped like a headline,
    or else the first ~80 characters of the text.
    Raises ExtractError when there is no text.
    """
    if not text or not text.strip():
        raise ExtractError("empty text")
    text = _cleaning.normalize(text)
    match = _HEADER_DATE.match(text)
    if match:
        day = _dates.parse_datetime(match.group(1))
        if day is not None:
            published = day
        text = text[match.end() :]
    while match := _HEADER_FIELD.match(text):
        field, value = match.group(1).lower(), match.group(2).strip()
        if field == "url" and not re.match(r"^https?://\S+$", value):
            break
        if field == "url":
            url = url or value
        else:
            title = title or value
        text = text[match.end() :]
    if match := _MD_HEADING.match(text):
        title = title or match.group(1).strip()
        text = text[match.end() :]

    paras = _cleaning.clean_paragraphs(_cleaning.paragraphs(text))
    if not paras:
        raise ExtractError("no text left after cleaning")
    if title is None and len(paras) > 1 and _cleaning.is_headline_like(paras[0]):
        title = paras.pop(0)
    body = "\n\n".join(paras)
    if title is None:
        title = _shorten(body, _TITLE_CHARS)
    if published is not None:
        published = published.replace(tzinfo=UTC) if published.tzinfo is None else published.astimezone(UTC)
    return Extracted(
        text=body,
        title=_clean_field(title),
        url=url,
        published=published,
        site=_page.host_name(url),
        suspicious=_injection.find(body),
    )


def _prune_body(body: _Element, anchors: set[str], title: str | None) -> _Element:
    """Drop link lists, link-only and furniture blocks, the repeated title and the standfirst,
    headings that introduce nothing, and link-heavy blocks trailing after the article."""
    body = _wrap_loose_text(deepcopy(body))
    for el in list(body):
        text = _block_text(el)
        if not text:
            continue
        if el.tag == "list":
            items = [t for t in (_block_text(item) for item in el.iter("item")) if t]
            linked = sum(_is_link_block(item, anchors) for item in items)
            doomed = not items or linked >= _LINK_LIST_SHARE * len(items)
        else:
            doomed = (
                _cleaning.is_furniture(text)
                or (title is not None and _same_words(text, title, prefix=False))
                or (el.tag in ("p", "quote") and _is_link_block(text, anchors))
            )
        if doomed:
            body.remove(el)
    _drop_standfirst(body)
    _drop_dangling_headings(body)
    _drop_trailing_links(body, anchors)
    return body


def _block_text(el: _Element) -> str:
    return " ".join(" ".join(el.itertext()).split())


def _drop_standfirst(body: _Element) -> None:
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


def _wrap_loose_text(body: _Element) -> _Element:
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
    return body


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


def _too_short(text: str) -> bool:
    return len("".join(text.split())) < _MIN_CHARS


def _drop_dangling_headings(body: _Element) -> None:
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


def _drop_leading_title(text: str, title: str | None) -> str:
    if not title:
        return text
    first, _sep, rest = text.partition("\n\n")
    if _same_words(first, title):
        return rest
    return text


def _same_words(a: str, b: str, prefix: bool = True) -> bool:
    """Same words in the same order; with `prefix`, `a` may also be the start of `b` (a title
    often carries " - Site Name" or a subtitle after it)."""
    words_a = re.findall(r"\w+", a.casefold())
    words_b = re.findall(r"\w+", b.casefold())
    if not words_a:
        return False
    return words_a == words_b or (prefix and len(words_a) >= 4 and words_b[: len(words_a)] == words_a)


def _strip_site(title: str | None, site: str | None) -> str | None:
    """Drop the outlet's name from a title: "Headline - Site" or "Headline | Site" gives "Headline"."""
    if not title or not site:
        return title
    match = re.match(rf"^(.{{8,}}?)\s+[-–—|:·]\s+{re.escape(site)}\s*$", title, re.IGNORECASE)
    return match.group(1) if match else title


def _outlet(sitename: str | None, url: str | None) -> str | None:
    name = _clean_field(sitename)
    return name or _page.host_name(url)


def _clean_field(value: str | None) -> str | None:
    if not value:
        return None
    cleaned = " ".join(_cleaning.normalize(value).split())
    return cleaned or None


def _shorten(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0].rstrip(",;:-–")
    return f"{cut}…"
