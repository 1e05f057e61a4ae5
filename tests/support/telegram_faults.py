"""Fault injection for the test server: Telegram's error answers on demand, once for the next calls to a
method or for every call aimed at one chat."""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus

from tests.support.telegram_html import JsonDict
from tests.support.telegram_methods import SEND_METHODS, ApiError

# Methods that target one chat, so `fail_for_chat` applies to them.
_CHAT_METHODS = frozenset({*SEND_METHODS, "sendChatAction", "editMessageText", "deleteMessage"})
_RETRY_AFTER_AUTO = -1


@dataclass
class _Fault:
    error_code: int
    description: str
    parameters: JsonDict
    remaining: int


class FaultInjection:
    """The fault methods of `BotApiServer`; the server's ``__init__`` creates the queues."""

    _faults: dict[str, list[_Fault]]
    _chat_faults: dict[str, _Fault]

    def fail_next(
        self,
        method: str,
        *,
        error_code: int | None = None,
        description: str | None = None,
        retry_after: int | None = _RETRY_AFTER_AUTO,
        times: int = 1,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        """Make the next `times` calls to `method` fail with Telegram's error JSON.

        By default a 429 carrying ``retry_after`` 1; with `migrate_to_chat_id`, Telegram's 400 for a
        group upgraded to a supergroup. Other codes get a plain description unless one is given.
        """
        code = error_code or (400 if migrate_to_chat_id is not None else 429)
        if retry_after == _RETRY_AFTER_AUTO:
            retry_after = 1 if code == 429 else None
        parameters: JsonDict = {}
        if migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = migrate_to_chat_id
            default = "Bad Request: group chat was upgraded to a supergroup chat"
        elif code == 429:
            default = f"Too Many Requests: retry after {retry_after or 1}"
        else:
            default = _status_phrase(code)
        if retry_after is not None:
            parameters["retry_after"] = retry_after
        fault = _Fault(code, description or default, parameters, times)
        self._faults.setdefault(method.lower(), []).append(fault)

    def fail_for_chat(
        self,
        chat_id: int | str,
        error_code: int = 403,
        description: str = "Forbidden: bot was blocked by the user",
    ) -> None:
        """Fail every call aimed at `chat_id` (sends, edits, chat actions) until `clear_faults`."""
        self._chat_faults[str(chat_id)] = _Fault(error_code, description, {}, -1)

    def clear_faults(self) -> None:
        self._faults.clear()
        self._chat_faults.clear()

    def _raise_injected_fault(self, method: str, params: JsonDict) -> None:
        queue = self._faults.get(method.lower())
        if queue:
            fault = queue[0]
            fault.remaining -= 1
            if fault.remaining <= 0:
                queue.pop(0)
            raise ApiError(fault.error_code, fault.description, dict(fault.parameters))
        chat_fault = self._chat_faults.get(str(params.get("chat_id")))
        if chat_fault is not None and method in _CHAT_METHODS:
            raise ApiError(chat_fault.error_code, chat_fault.description)


def _status_phrase(code: int) -> str:
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return "Error"
