"""When a statement was made: dates stated in its attribution ("on Feb. 26", "Thursday", "a day earlier"),
resolved against the article's publication date."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from ._sentences import MASK

_MONTH_NAMES = (
    r"Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|"
    r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?"
)
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_NUMBERS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
_MONTH_DAY = re.compile(
    rf"\b(?P<mon>{_MONTH_NAMES})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<year>\d{{4}}))?"
)
_DAY_MONTH = re.compile(
    rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon>{_MONTH_NAMES})\b\.?"
    r"(?:,?\s+(?P<year>\d{4}))?"
)
_MONTH_YEAR = re.compile(rf"\bin\s+(?P<mon>{_MONTH_NAMES})\.?\s+(?P<year>\d{{4}})\b")
_ISO_DATE = re.compile(r"\b(?P<year>\d{4})-(?P<mon>\d{2})-(?P<day>\d{2})\b")
_WEEKDAY = re.compile(
    r"\b(?:(?P<last>last)\s+)?(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
)
_RELATIVE = re.compile(
    r"\b(?P<yesterday>yesterday)\b|\b(?P<today>today|this morning|tonight)\b(?!['’])"
    r"|\b(?P<daybefore>the day before|a day earlier|a day before|the previous day)\b"
    r"|\b(?P<n>a|one|two|three|four|five|six|seven|\d)\s+(?P<unit>days?|weeks?)\s+(?:earlier|ago|before)\b"
    r"|\b(?P<lastweek>last week)\b|\b(?P<lastmonth>last month)\b",
    re.IGNORECASE,
)
TIMEREF = (
    rf"in\s+(?:{_MONTH_NAMES})\.?\s+\d{{4}}|in\s+\d{{4}}|last\s+(?:week|month|year|Monday|Tuesday|Wednesday|"
    r"Thursday|Friday|Saturday|Sunday)|earlier\s+this\s+(?:week|month|year)|(?:a|one|two|three|four|five|six|"
    r"seven|\d)\s+(?:days?|weeks?)\s+(?:ago|earlier|before)|the\s+(?:day\s+before|previous\s+day)"
)
DAYREF = (
    rf"(?:(?:{_MONTH_NAMES})\.?\s+\d{{1,2}}(?:,?\s+\d{{4}})?|\d{{1,2}}\s+(?:{_MONTH_NAMES})(?:\s+\d{{4}})?"
    r"|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
)


def _month(name: str) -> int:
    return ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"].index(
        name[:3].lower()
    ) + 1


def _day(year: int, month: int, day: int) -> datetime | None:
    try:
        return datetime(year, month, day, tzinfo=UTC)
    except ValueError:
        return None


def explicit_date(text: str, published: datetime | None, year: int | None = None) -> datetime | None:
    """A date the attribution states ("on Feb. 26", "Thursday", "a day earlier"), resolved against the
    article's date; None when there is none or it cannot be resolved. Without an article date, `year` (the
    latest year the article mentions) completes a month and day; weekdays stay unresolved."""
    text = text.replace(MASK, " ")
    if m := _ISO_DATE.search(text):
        return _day(int(m["year"]), int(m["mon"]), int(m["day"]))
    for pattern in (_MONTH_DAY, _DAY_MONTH):
        if m := pattern.search(text):
            month, day = _month(m["mon"]), int(m["day"])
            if m["year"]:
                return _day(int(m["year"]), month, day)
            if published is None:
                return _weekday_year(text, year, month, day) if year else None
            found = _day(published.year, month, day)
            if found is not None and found > published + timedelta(days=2):
                found = _day(published.year - 1, month, day)
            return found
    if m := _MONTH_YEAR.search(text):
        return _day(int(m["year"]), _month(m["mon"]), 1)
    if published is None:
        return None
    if m := _WEEKDAY.search(text):
        back = (published.weekday() - _WEEKDAYS.index(m["wd"].lower())) % 7
        return published - timedelta(days=back or (7 if m["last"] else 0))
    if m := _RELATIVE.search(text):
        if m["yesterday"] or m["daybefore"]:
            return published - timedelta(days=1)
        if m["today"]:
            return published
        if m["n"]:
            count = _NUMBERS.get(m["n"].lower()) or int(m["n"])
            return published - timedelta(days=count * (7 if m["unit"].startswith("week") else 1))
        if m["lastweek"]:
            return published - timedelta(days=7)
        if m["lastmonth"]:
            month = published.month - 1 or 12
            year = published.year - (1 if published.month == 1 else 0)
            return _day(year, month, min(published.day, 28))
    return None


_SAME_DAY = re.compile(
    r"\b(?:later|earlier)\s+(?:that|the\s+same)\s+day\b|\bthat\s+(?:same\s+)?(?:day|morning|afternoon|evening|night)\b"
    r"|\bon\s+the\s+same\s+day\b",
    re.IGNORECASE,
)
_NEXT_DAY = re.compile(r"\b(?:the\s+(?:next|following)\s+day|a\s+day\s+later)\b", re.IGNORECASE)


def relative_to_last(text: str, last: datetime | None) -> datetime | None:
    """"Later that day" / "the next day": a day relative to the statement read just before, not to the
    article's date."""
    if last is None:
        return None
    text = text.replace(MASK, " ")
    if _SAME_DAY.search(text):
        return last
    if _NEXT_DAY.search(text):
        return last + timedelta(days=1)
    return None


_STAMP = re.compile(
    rf"^\s*(?:(?:Published|Updated|Posted)\s*:?\s*)?(?:\d{{1,2}}:\d{{2}}\s*[ap]\.?m\.?\s+[A-Z]{{2,4}}\s+)?"
    rf"(?P<mon>{_MONTH_NAMES})\.?\s+(?P<day>\d{{1,2}}),?\s+(?P<year>\d{{4}})\b"
)


def _weekday_year(text: str, year: int, month: int, day: int) -> datetime | None:
    """Month and day in `year`, or in the year next to it whose calendar agrees with a weekday the text gives
    ("Sunday, Feb. 9" is 2025, whatever earlier year the article mentions last)."""
    weekday = _WEEKDAY.search(text)
    if weekday is not None:
        wanted = _WEEKDAYS.index(weekday["wd"].lower())
        for candidate in (year, year + 1, year - 1):
            found = _day(candidate, month, day)
            if found is not None and found.weekday() == wanted:
                return found
    return _day(year, month, day)


def names_a_day(text: str) -> bool:
    """Whether an attribution names a day of its own ("on Tuesday", "yesterday", "last week")."""
    text = text.replace(MASK, " ")
    return bool(_WEEKDAY.search(text) or _RELATIVE.search(text) or _MONTH_DAY.search(text))


def latest_year(text: str, now: int) -> int | None:
    """The latest plausible year an article mentions ("in 2025", "Dec. 31, 2019"), if any."""
    years = [int(y) for y in re.findall(r"\b(19[5-9]\d|20\d\d)\b", text) if int(y) <= now]
    return max(years) if years else None


def page_date(text: str) -> datetime | None:
    """The date a page's own stamp opens its text with ("Nov. 2, 2025 Updated Nov. 5, 2025, 9:34 a.m. ET"):
    the day of first publication, for resolving "Tuesday" when the article carries no date of its own."""
    if m := _STAMP.match(text[:200]):
        return _day(int(m["year"]), _month(m["mon"]), int(m["day"]))
    return None
