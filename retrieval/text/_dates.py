"""Dates as the product shows them: "3 Mar 2025" in source lists, timelines and briefings, "3 March 2025" in
the statements a model summarises (it writes them back into its prose), "undated" for a missing date."""

from __future__ import annotations

from datetime import UTC, date, datetime

_UNDATED = "undated"


def format_date(value: date | None, *, long: bool = False) -> str:
    """`3 Mar 2025`, or with `long` `3 March 2025`; `undated` for None. The day has no leading zero on any
    platform (strftime's `%-d` is glibc's)."""
    if value is None:
        return _UNDATED
    return f"{value.day} {value:%B %Y}" if long else f"{value.day} {value:%b %Y}"


def format_moment(value: datetime) -> str:
    """A point in time, in UTC: `3 Mar 2025 14:05 UTC`."""
    value = value.astimezone(UTC)
    return f"{format_date(value)} {value:%H:%M} UTC"
