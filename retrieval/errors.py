"""The one exception root. Every error briefbot raises on purpose derives from `BriefbotError`, and its
message is written for the person who caused it (a chat member or the CLI's user), never a traceback.

`BackendUnavailable` is the branch for a service that cannot serve right now (the embedding endpoint, the
dense index, the language model): an outage to report and retry later, not a bug to log with a traceback.
"""

from __future__ import annotations


class BriefbotError(Exception):
    """An error with a message fit to show a user."""


class BackendUnavailable(BriefbotError):
    """A backend cannot serve now; `service` names it for the user ("the embedding service")."""

    service: str = "a backend service"
