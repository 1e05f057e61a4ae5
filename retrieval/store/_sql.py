"""How records meet SQL: UTC timestamps in two column forms, speaker keys, and the filter every search and
statement query shares (indexed, not a duplicate, visible to the asking scope)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from ._records import SHARED_SCOPE, SearchFilters


def to_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def iso(value: datetime | None) -> str | None:
    value = to_utc(value)
    return value.isoformat() if value else None


def ts(value: datetime | None) -> int | None:
    value = to_utc(value)
    return int(value.timestamp()) if value else None


def dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def speaker_key(name: str) -> str:
    """A name's letters and digits in any script, case-folded: "Дмитрий Песков" keys as itself, not as ""."""
    return re.sub(r"[\W_]+", " ", name.casefold()).strip()


def visibility_sql(scope: str | None) -> tuple[str, list[Any]]:
    """A chat sees what it added and what is shared: nothing else, whatever other chats added."""
    if scope is None:
        return "1 = 1", []
    return "a.added_by IN (?, ?)", [scope, SHARED_SCOPE]


def filter_sql(filters: SearchFilters) -> tuple[str, list[Any]]:
    """The WHERE clause (over `articles a`) for what a search may return."""
    clauses = ["a.indexed = 1", "a.duplicate_of IS NULL"]
    params: list[Any] = []
    if filters.since is not None:
        clauses.append("a.published_ts >= ?")
        params.append(ts(filters.since))
    if filters.until is not None:
        clauses.append("a.published_ts <= ?")
        params.append(ts(filters.until))
    if filters.outlet:
        clauses.append("casefold(a.outlet) = casefold(?)")
        params.append(filters.outlet)
    vis, vparams = visibility_sql(filters.scope)
    clauses.append(vis)
    params.extend(vparams)
    return " AND ".join(clauses), params
