from datetime import UTC, date, datetime, timedelta, timezone

from retrieval.text import format_date, format_moment


def test_dates_as_the_product_shows_them() -> None:
    assert format_date(datetime(2025, 3, 3, 14, 5, tzinfo=UTC)) == "3 Mar 2025"
    assert format_date(datetime(2025, 12, 25)) == "25 Dec 2025"
    assert format_date(date(2025, 3, 3), long=True) == "3 March 2025"
    assert format_date(datetime(2024, 9, 9, tzinfo=UTC), long=True) == "9 September 2024"


def test_a_missing_date_reads_undated() -> None:
    assert format_date(None) == "undated"
    assert format_date(None, long=True) == "undated"


def test_a_moment_is_told_in_utc() -> None:
    moscow = timezone(timedelta(hours=3))
    assert format_moment(datetime(2025, 3, 3, 14, 5, tzinfo=UTC)) == "3 Mar 2025 14:05 UTC"
    # 01:30 in Moscow on the 4th is still the 3rd in UTC.
    assert format_moment(datetime(2025, 3, 4, 1, 30, tzinfo=moscow)) == "3 Mar 2025 22:30 UTC"
