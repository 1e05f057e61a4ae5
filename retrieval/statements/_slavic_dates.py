"""When a Russian or Ukrainian statement was made: the day its attribution names ("в четверг", "во вторник,
4 февраля", "3 июля", "у середу", "16 червня", "накануне", "вчора"), resolved against the article's date. Only
the attribution is read: a day inside what was said ("запись начнётся в понедельник") is not when it was said.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from ._sentences import MASK

_MONTHS = {
    **{m: i for i, m in enumerate(
        "января февраля марта апреля мая июня июля августа сентября октября ноября декабря".split(), 1)},
    **{m: i for i, m in enumerate(
        "січня лютого березня квітня травня червня липня серпня вересня жовтня листопада грудня".split(), 1)},
}  # fmt: skip
_WEEKDAYS = {
    "понедельник": 0, "вторник": 1, "среду": 2, "четверг": 3, "пятницу": 4, "субботу": 5, "воскресенье": 6,
    "понеділок": 0, "вівторок": 1, "середу": 2, "четвер": 3, "п'ятницю": 4, "суботу": 5, "неділю": 6,
}  # fmt: skip
_DAY_MONTH = re.compile(
    r"(?<!\w)(?P<day>\d{1,2})(?:-?го)?\s+(?P<mon>"
    + "|".join(_MONTHS)
    + r")(?:\s+(?P<year>\d{4})\s*(?:г\.|года|р\.|року)?)?(?!\w)",
    re.IGNORECASE,
)
_WEEKDAY = re.compile(
    r"(?<!\w)(?:в|во|у|в\s+прошлый|в\s+прошлую|у\s+минулий|у\s+минулу|минулого)\s+(?P<wd>"
    + "|".join(_WEEKDAYS).replace("'", "['’ʼ]")
    + r")(?!\w)",
    re.IGNORECASE,
)
_RELATIVE = re.compile(
    r"(?<!\w)(?:(?P<before>накануне|напередодні|вчера|вчора|учора)|(?P<today>сегодня|сьогодні)|"
    r"(?P<week>на\s+прошлой\s+неделе|минулого\s+тижня|на\s+минулому\s+тижні))(?!\w)",
    re.IGNORECASE,
)


def _day(year: int, month: int, day: int) -> datetime | None:
    try:
        return datetime(year, month, day, tzinfo=UTC)
    except ValueError:
        return None


def said_date(text: str, published: datetime | None, year: int | None) -> datetime | None:
    """The day an attribution names, or None. A month and day takes the article's year (the year before when
    that would fall after it); without an article date, the latest year the article mentions; weekdays and
    "накануне" need the article's date."""
    text = text.replace(MASK, " ")
    if m := _DAY_MONTH.search(text):
        month, day = _MONTHS[m["mon"].lower()], int(m["day"])
        if m["year"]:
            return _day(int(m["year"]), month, day)
        if published is None:
            return _day(year, month, day) if year else None
        found = _day(published.year, month, day)
        if found is not None and found > published + timedelta(days=2):
            found = _day(published.year - 1, month, day)
        return found
    if published is None:
        return None
    if m := _WEEKDAY.search(text):
        name = m["wd"].lower().replace("’", "'").replace("ʼ", "'")
        back = (published.weekday() - _WEEKDAYS[name]) % 7
        return published - timedelta(days=back)
    if m := _RELATIVE.search(text):
        if m["before"]:
            return published - timedelta(days=1)
        if m["today"]:
            return published
        return published - timedelta(days=7)
    return None


def names_a_day(text: str) -> bool:
    text = text.replace(MASK, " ")
    return bool(_DAY_MONTH.search(text) or _WEEKDAY.search(text) or _RELATIVE.search(text))


def names_a_weekday_or_date(text: str) -> bool:
    """A day of the week or of the month, not "накануне" or "на прошлой неделе": what sets an article's scene
    ("Депутаты в понедельник не утвердили бюджет")."""
    text = text.replace(MASK, " ")
    return bool(_DAY_MONTH.search(text) or _WEEKDAY.search(text))
