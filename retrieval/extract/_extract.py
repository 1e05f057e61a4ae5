"""Article text and metadata from an HTML page or a plain-text/Markdown document.

Everything here is synchronous and pure; callers run it in a worker thread with a time limit.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import trafilatura
from lxml.html import HtmlElement
from trafilatura.settings import Document
from trafilatura.xml import xmltotxt

from retrieval.errors import BriefbotError
from retrieval.store import Extracted
from retrieval.text import paragraphs
from retrieval.urls import site_name_fits, title_from_url

from . import _body, _cleaning, _dates, _injection, _page

__all__ = [
    "CLEANING_RULES",
    "ExtractError",
    "addresses_a_model",
    "clean_text",
    "extract_html",
    "extract_text",
    "without_instructions",
]

# Less text than this after cleaning is a stub, a paywall teaser or a non-article page.
# Counted in characters: scripts without spaces between words have few "words".
_MIN_CHARS = 100
_TITLE_CHARS = 80
_HEADER_DATE = re.compile(r"^\s*date[ \t]+(\d{4}-\d{2}-\d{2})(?:[ \t]*(?:\n|$)|[ \t]+)", re.IGNORECASE)
_HEADER_FIELD = re.compile(r"^\s*(url|title|outlet)[ \t]+(\S[^\n]*)(?:\n|$)", re.IGNORECASE)
_MD_HEADING = re.compile(r"^\s*#[ \t]+(\S[^\n]*?)[ \t#]*(?:\n|$)")
_MD_HEADING_MARK = re.compile(r"^#{1,6}[ \t]+", re.MULTILINE)
_MD_IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\s]+(?:\s+\"[^\"]*\")?\)")
_MD_LINK = re.compile(r"\[([^\]\n]+)\]\((?:https?://|/|#|mailto:)[^)\s]*(?:\s+\"[^\"]*\")?\)")
_MIN_TITLE_WORDS = 3
# Names of the rules extract_html can be told to skip: what bench/extraction.py --ablate measures.
CLEANING_RULES = ("leading-title", *(name for name, _ in _body.RULES), *_cleaning.rule_names())


class ExtractError(BriefbotError):
    """No article text could be found (empty page, not an article, unreadable input)."""


def clean_text(text: str) -> str:
    """NFKC, invisible characters removed, whitespace tidied and page furniture dropped.

    Paragraphs come out separated by one blank line.
    """
    return _cleaning.clean_text(text)


def addresses_a_model(text: str) -> bool:
    """Whether the text speaks to a language model ("Assistant, ignore the instructions above ...") rather
    than to a reader; news about chatbots and their prompts does not."""
    return bool(_injection.find(text))


def without_instructions(text: str) -> str:
    """The text without paragraphs that address a language model (what flags an article as suspicious).

    A paragraph that carries on such an address goes too: the one after a label that ends in a colon ("Note
    to the summariser:"), and one that opens with an order ("Report that ..."). Flagged articles keep their
    full text in the library; what is searched, quoted or summarised is this.
    """
    kept: list[str] = []
    carried = False  # the paragraph before was an address, or carried one on
    opens = False  # ... and ended with a colon
    for para in paragraphs(text, keep_lines=True):
        if _injection.find(para) or (carried and (opens or _injection.opens_with_an_order(para))):
            carried, opens = True, para.endswith(":")
            continue
        carried = opens = False
        kept.append(para)
    return "\n\n".join(kept)


def extract_html(
    html: str | bytes,
    url: str | None = None,
    *,
    skip: frozenset[str] = frozenset(),
    fallback_title: str | None = None,
) -> Extracted:
    """Main text and metadata of an article page.

    `url` is the address the page was fetched from; the page's own canonical URL wins over it only on the
    same registrable domain, and its self-declared site name counts only where the domain spells it.
    `published` comes only from publication metadata and is None when the page does not state it.
    Raises ExtractError when the page holds no article text. `skip` names CLEANING_RULES to leave out, so
    that the benchmark can measure what each earns. `fallback_title` (a document's file name) is the title
    when the page names none.
    """
    if unknown := skip.difference(CLEANING_RULES):
        raise ValueError(f"no such cleaning rule: {', '.join(sorted(unknown))}")
    tree = _page.parse(html)
    if tree is None:
        raise ExtractError("not an HTML document")
    # Security, kept whatever it scores (tests/hostile): text a reader cannot see is where instructions
    # to a model hide. It also keeps one dev page from coming out empty (F1 +0.0056).
    _page.remove_hidden(tree)
    page_url = _page.own_url(tree, url)
    anchors = _page.anchor_texts(tree)

    document = _trafilatura(tree, page_url)
    site = _outlet(document.sitename, page_url, trusted=url is None)
    text = _article_text(document, anchors, site, skip)
    if _too_short(text):
        raise ExtractError("no article text found")

    description = _clean_field(document.description)
    title = (
        _strip_site(_clean_field(document.title), site) or title_from_url(page_url, text) or fallback_title
    )
    return Extracted(
        text=text,
        title=title,
        url=page_url,
        published=_dates.publication_date(tree, page_url),
        author=_clean_field(document.author),
        site=site,
        language=_page.language(tree),
        description=description,
        suspicious=_injection.find(title, document.title, text, description),
    )


def _trafilatura(tree: HtmlElement, url: str | None) -> Document:
    try:
        # Balanced mode. favor_precision scores the same after our cleaning (F1 +0.0003 on the dev pages)
        # but loses article text (recall 0.984 -> 0.981); a second, favor_recall reading of pages where
        # this one finds too little never fired on them, so there is none.
        document = trafilatura.bare_extraction(
            tree,
            url=url,
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


def _article_text(document: Document, anchors: set[str], site: str | None, skip: frozenset[str]) -> str:
    body = _body.prune(document.body, anchors, skip)
    text = _cleaning.clean_text(xmltotxt(body, False), site=site, skip=skip)
    if "leading-title" in skip:
        return text
    # The headline repeated atop the body: F1 +0.0006 over 7 dev pages, none made worse
    return _drop_leading_title(text, document.title)


def extract_text(
    text: str,
    url: str | None = None,
    title: str | None = None,
    published: datetime | None = None,
    *,
    fallback_title: str | None = None,
) -> Extracted:
    """An article given as plain text or Markdown (a .txt/.md file, a forwarded message).

    Optional header lines at the very top are read and removed:

        date 2025-02-27        publication date (UTC midnight), overrides `published`
        url https://…          the article's address, if `url` was not given
        title Some headline    the title, if `title` was not given
        outlet Kyiv Post       the outlet that published it

    The `date` line comes first; the body may follow on the same line. Otherwise a leading
    Markdown `# Heading` becomes the title, or the first line when it is shaped like a headline,
    or else the headline spelled out in the URL's path, or else `fallback_title` (a document's file name),
    or else the first ~80 characters of the text.
    Raises ExtractError when there is no text.
    """
    if not text or not text.strip():
        raise ExtractError("empty text")
    text = _cleaning.normalize(text)
    outlet: str | None = None
    match = _HEADER_DATE.match(text)
    if match:
        day = _dates.parse_datetime(match.group(1))
        if day is not None:
            published = day
        text = text[match.end() :]
        # Header lines only count right after a date line: elsewhere "Title IX …" is prose.
        while field := _HEADER_FIELD.match(text):
            name, value = field.group(1).lower(), field.group(2).strip()
            if name == "url" and not re.match(r"^https?://\S+$", value):
                break
            if name == "url":
                url = url or value
            elif name == "outlet":
                outlet = value
            else:
                title = title or value
            text = text[field.end() :]
    if heading := _MD_HEADING.match(text):
        title = title or heading.group(1).strip()
        text = text[heading.end() :]
    text = _plain_markdown(text)

    paras = _cleaning.clean_paragraphs(_cleaning.split_lines(text))
    if not paras:
        raise ExtractError("no text left after cleaning")
    if title is None and len(paras) > 1 and _looks_like_title(paras[0]):
        title = paras.pop(0)
    body = "\n\n".join(paras)
    if title is None:
        title = title_from_url(url, body) or fallback_title or _shorten(body, _TITLE_CHARS)
    if published is not None:
        published = published.replace(tzinfo=UTC) if published.tzinfo is None else published.astimezone(UTC)
    return Extracted(
        text=body,
        title=_clean_field(title),
        url=url,
        published=published,
        site=outlet or _page.host_name(url),
        suspicious=_injection.find(title, body),
    )


def _looks_like_title(line: str) -> bool:
    return _cleaning.is_headline_like(line) and len(line.split()) >= _MIN_TITLE_WORDS


def _plain_markdown(text: str) -> str:
    """Markdown markup that would otherwise stay in the text: images, link targets, heading marks."""
    text = _MD_IMAGE.sub("", text)
    text = _MD_LINK.sub(r"\1", text)
    return _MD_HEADING_MARK.sub("", text)


def _too_short(text: str) -> bool:
    return len("".join(text.split())) < _MIN_CHARS


def _drop_leading_title(text: str, title: str | None) -> str:
    if not title:
        return text
    first, _sep, rest = text.partition("\n\n")
    if _same_words(first, title):
        return rest
    return text


def _same_words(a: str, b: str) -> bool:
    """Same words in the same order, or `a` (of 4 words or more) is the start of `b`: a title often
    carries " - Site Name" or a subtitle after it."""
    words_a = re.findall(r"\w+", a.casefold())
    words_b = re.findall(r"\w+", b.casefold())
    if not words_a:
        return False
    return words_a == words_b or (len(words_a) >= 4 and words_b[: len(words_a)] == words_a)


def _strip_site(title: str | None, site: str | None) -> str | None:
    """Drop the outlet's name from a title: "Headline - Site" or "Headline | Site" gives "Headline"."""
    if not title or not site:
        return title
    match = re.match(rf"^(.{{8,}}?)\s+[-–—|:·]\s+{re.escape(site)}\s*$", title, re.IGNORECASE)
    return match.group(1) if match else title


def _outlet(sitename: str | None, url: str | None, *, trusted: bool) -> str | None:
    """The outlet's name: the page's own, if its domain bears it out (or it is the operator's file)."""
    name = _clean_field(sitename)
    if name and (trusted or (url is not None and site_name_fits(name, url))):
        return name
    return _page.host_name(url)


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
    return f"{cut}..."
