"""Publication dates from a page's own metadata, never from its free text.

htmldate (which trafilatura calls) falls back to scanning the page text when the markup says
nothing, and then returns whatever date-like string it finds: a copyright year, a "last updated"
line, today's date in the site header. A wrong date is worse for us than none, so this module only
reads places where a publisher states the publication date on purpose, in this order:
JSON-LD `datePublished`, publication meta tags, `itemprop="datePublished"`, a `<time>` element
marked as the publication time or standing in the article header, and a full Y/M/D date in the URL.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from lxml.html import HtmlElement

_META_KEYS = (
    "article:published_time",
    "og:article:published_time",
    "og:published_time",
    "article.published",
    "article_date_original",
    "datepublished",
    "date_published",
    "published_time",
    "published-date",
    "publish-date",
    "publishdate",
    "publish_date",
    "pubdate",
    "original-publish-date",
    "parsely-pub-date",
    "sailthru.date",
    "citation_publication_date",
    "citation_date",
    "dc.date.issued",
    "dc.date.created",
    "dc.date",
    "dcterms.issued",
    "dcterms.created",
    "dcterms.date",
    "rnews:datepublished",
    "cxenseparse:recs:publishtime",
    "date",
)
_META_RANK = {key: rank for rank, key in enumerate(_META_KEYS)}
_ARTICLE_TYPES = re.compile(r"article|posting|report|newsarticle|blog|webpage|creativework", re.IGNORECASE)
_TIME_HINT = re.compile(
    r"publish|pubdate|posted|created|dateline|byline|article-date|entry-date", re.IGNORECASE
)
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_URL_DATE = re.compile(
    r"/((?:19|20)\d\d)/(0?[1-9]|1[0-2])/(0?[1-9]|[12]\d|3[01])(?:/|$)"
    r"|[/_-]((?:19|20)\d\d)-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(?:[/_.-]|$)"
)
_URL_NAMED_MONTH = re.compile(rf"/((?:19|20)\d\d)/{_MONTH}/(0?[1-9]|[12]\d|3[01])(?:/|$)", re.IGNORECASE)
# Written-out English dates, "November 19, 2019" or "19 Nov 2019", anywhere in a short string.
_MONTH_FIRST = re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+((?:19|20)\d\d)\b", re.IGNORECASE)
_DAY_FIRST = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\.?\s+{_MONTH}\s+((?:19|20)\d\d)\b", re.IGNORECASE)
_PUBLISHED_HINT = re.compile(
    r"publish|pubdate|pub-date|posted-on|post-date|postdate|entry-date|article-date|date-published",
    re.IGNORECASE,
)
_MAX_HINTED_TEXT = 80
_BODY_PARAGRAPH_WORDS = 20
_RFC_2822 = re.compile(r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{1,2}:\d{2}")
_EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
# A page's clock may run a little ahead of ours across time zones; further ahead is bogus.
_FUTURE_SLACK = timedelta(days=2)


def publication_date(tree: HtmlElement, url: str | None) -> datetime | None:
    """The page's stated publication time as an aware UTC datetime, or None if it does not say."""
    for candidate in _candidates(tree, url):
        parsed = parse_datetime(candidate)
        if parsed is not None:
            return parsed
    return None


def _candidates(tree: HtmlElement, url: str | None) -> Iterator[str]:
    yield from _json_ld_dates(tree)
    yield from _meta_dates(tree)
    for el in tree.xpath('//*[@itemprop="datePublished"]'):
        yield el.get("content") or el.get("datetime") or el.text_content()
    yield from _header_elements(tree)
    if url:
        yield from _url_dates(url)


def _meta_dates(tree: HtmlElement) -> list[str]:
    found: list[tuple[int, str]] = []
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        content = meta.get("content")
        if key in _META_RANK and content:
            found.append((_META_RANK[key], content))
    return [content for _rank, content in sorted(found, key=lambda item: item[0])]


def _json_ld_dates(tree: HtmlElement) -> Iterator[str]:
    preferred: list[str] = []
    other: list[str] = []
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        source = script.text or ""
        try:
            data = json.loads(source, strict=False)
        except ValueError:
            try:  # trailing commas are the usual fault in hand-written JSON-LD
                data = json.loads(re.sub(r",\s*([\]}])", r"\1", source), strict=False)
            except ValueError:
                other.extend(re.findall(r'"datePublished"\s*:\s*"([^"]{6,40})"', source))
                continue
        for obj in _json_objects(data):
            value = obj.get("datePublished") or obj.get("dateCreated")
            if not isinstance(value, str):
                continue
            kind = obj.get("@type")
            kinds = " ".join(kind) if isinstance(kind, list) else str(kind or "")
            (preferred if _ARTICLE_TYPES.search(kinds) else other).append(value)
    yield from preferred
    yield from other


def _json_objects(data: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > 6:
        return
    if isinstance(data, dict):
        yield data
        for value in data.values():
            if isinstance(value, dict | list):
                yield from _json_objects(value, depth + 1)
    elif isinstance(data, list):
        for item in data:
            yield from _json_objects(item, depth + 1)


def _header_elements(tree: HtmlElement) -> Iterator[str]:
    """Dates standing in the article header: `<time>` elements and elements whose class or id
    says "publish…", between the headline and the first real paragraph. Elsewhere on the page
    such dates usually belong to other stories (related links, sidebars, comments)."""
    zone = _header_zone(tree)
    marked: list[str] = []
    plain: list[str] = []
    for el in zone:
        marks = " ".join(filter(None, (el.get("class"), el.get("id"), el.get("itemprop"))))
        if el.tag == "time" and el.get("datetime"):
            hinted = el.get("pubdate") is not None or _TIME_HINT.search(marks)
            (marked if hinted else plain).append(el.get("datetime"))
        elif _PUBLISHED_HINT.search(marks):
            text = " ".join(el.text_content().split())
            if 0 < len(text) <= _MAX_HINTED_TEXT:
                marked.append(text)
    yield from marked
    yield from plain[:1]


def _header_zone(tree: HtmlElement) -> list[HtmlElement]:
    """Elements from the headline's container up to the article's first paragraph, in document order."""
    headline = next(tree.iter("h1"), None)
    start = headline.getparent() if headline is not None else None
    started = start is None
    zone: list[HtmlElement] = []
    for el in tree.iter():
        if not isinstance(el.tag, str) or el.tag in ("script", "style"):
            continue
        if not started:
            started = el is start
            continue
        if el.tag == "p" and _is_body_paragraph(el):
            break
        zone.append(el)
    return zone


def _is_body_paragraph(p: HtmlElement) -> bool:
    """A long paragraph among other long paragraphs: the article text, not a caption or standfirst."""
    if not _is_long(p):
        return False
    parent = p.getparent()
    return parent is not None and sum(1 for sib in parent.iterchildren("p") if _is_long(sib)) >= 2


def _is_long(p: HtmlElement) -> bool:
    return len(p.text_content().split()) >= _BODY_PARAGRAPH_WORDS


def _url_dates(url: str) -> Iterator[str]:
    match = _URL_DATE.search(url)
    if match:
        year, month, day = (g for g in match.groups() if g is not None)
        yield f"{int(year):04d}-{int(month):02d}-{int(day):02d}"
    named = _URL_NAMED_MONTH.search(url)
    if named:
        year, month, day = named.groups()
        yield f"{int(year):04d}-{_MONTHS[month.lower().rstrip('.')]:02d}-{int(day):02d}"


def parse_datetime(value: str | None) -> datetime | None:
    """ISO 8601, RFC 2822 or a written-out date, as aware UTC; a bare date is UTC midnight.

    A time without a zone is taken as UTC: the publisher did not say, and UTC keeps it comparable.
    """
    if not value:
        return None
    value = value.strip()
    parsed = _parse_any(value)
    if parsed is None:
        return None
    parsed = parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    if not _EARLIEST <= parsed <= datetime.now(UTC) + _FUTURE_SLACK:
        return None
    return parsed


def _parse_any(value: str) -> datetime | None:
    iso = value.replace("Z", "+00:00") if value.endswith("Z") else value
    try:
        return datetime.fromisoformat(iso)
    except ValueError:
        pass
    match = re.match(r"^(\d{4}-\d{2}-\d{2})[T ](\d{1,2}:\d{2}(?::\d{2})?)", value)
    if match:
        try:
            return datetime.fromisoformat(f"{match.group(1)}T{match.group(2)}")
        except ValueError:
            pass
    match = re.match(r"^((?:19|20)\d\d)[/.](\d{1,2})[/.](\d{1,2})\b", value)
    if match:
        try:
            return datetime(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            pass
    if _RFC_2822.match(value):
        try:
            return parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            pass
    return _written_date(value)


def _written_date(value: str) -> datetime | None:
    """The day of a written-out date; its clock time is dropped, as its time zone is unknown."""
    if len(value) > _MAX_HINTED_TEXT:
        return None
    match = _MONTH_FIRST.search(value)
    if match:
        month, day, year = match.groups()
    else:
        match = _DAY_FIRST.search(value)
        if not match:
            return None
        day, month, year = match.groups()
    try:
        return datetime(int(year), _MONTHS[month.lower().rstrip(".")], int(day))
    except (KeyError, ValueError):
        return None
