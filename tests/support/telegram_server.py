"""A small Telegram Bot API server for tests, spoken to by the real python-telegram-bot client.

python-telegram-bot calls ``POST {base_url}{token}/{method}``; plain calls arrive as an url-encoded form in
which strings are sent as-is and every other value is JSON-encoded, calls with uploads as multipart form
data with the file under the parameter's name. The server also accepts JSON bodies and query strings, as
Telegram does. File downloads are served under ``/file/bot{token}/{file_path}``.

The server itself does the HTTP, the long poll and webhook state and the call log; its other parts live in
sibling modules and are re-exported here: `telegram_html` (Telegram's HTML parser), `telegram_updates`
(the ``make_*`` update builders), `telegram_methods` (chat, message and file methods) and `telegram_faults`
(injected errors).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from typing import Any

import aiohttp
from aiohttp import web

from tests.support.telegram_faults import FaultInjection
from tests.support.telegram_html import JsonDict, TelegramHtmlError, parse_telegram_html, utf16_len
from tests.support.telegram_methods import (
    MAX_CAPTION_LENGTH,
    MAX_TEXT_LENGTH,
    SEND_METHODS,
    ApiCall,
    ApiError,
    BotApiMethods,
)
from tests.support.telegram_updates import BOT_USERNAME, DEFAULT_USER_ID

__all__ = [
    "BOT_USERNAME",
    "DEFAULT_USER_ID",
    "MAX_CAPTION_LENGTH",
    "MAX_TEXT_LENGTH",
    "ApiCall",
    "BotApiServer",
    "JsonDict",
    "TelegramHtmlError",
    "parse_telegram_html",
    "utf16_len",
]

# Form values python-telegram-bot sends unencoded; everything else is a JSON document.
_RAW_STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "url",
        "secret_token",
        "callback_query_id",
        "inline_message_id",
        "action",
        "language_code",
        "ip_address",
        "business_connection_id",
        "message_effect_id",
        "file_id",
        "photo",
        "document",
        "emoji",
        "query",
    }
)


class BotApiServer(FaultInjection, BotApiMethods):
    """Telegram Bot API stand-in; use as ``async with BotApiServer() as srv`` and point the bot at
    ``base_url=f"{srv.url}/bot"``, ``base_file_url=f"{srv.url}/file/bot"``."""

    def __init__(self, token: str = "123456:TEST-token") -> None:
        self.token = token
        self.bot_user: JsonDict = {
            "id": int(token.split(":", 1)[0]),
            "is_bot": True,
            "first_name": "Briefbot Test",
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.url = ""
        self.calls: list[ApiCall] = []
        self.webhook_url = ""
        self.webhook_secret: str | None = None
        self.commands: dict[str, list[JsonDict]] = {}
        self._runner: web.AppRunner | None = None
        self._changed = asyncio.Event()
        self._closing = False
        self._updates: list[JsonDict] = []
        self._update_ids = itertools.count(100_001)
        self._active_polls = 0
        self._poll_generation = 0
        self._last_message_ids: dict[int, int] = {}
        self._messages: dict[tuple[int, int], JsonDict] = {}
        self._chats: dict[int, JsonDict] = {}
        self._files: dict[str, tuple[bytes, str]] = {}
        self._file_numbers = itertools.count(1)
        #: When set, a file download waits until this event is set (a download in flight, for crash tests);
        #: each download's path is appended to `file_requests` when it arrives.
        self.hold_files: asyncio.Event | None = None
        self.file_requests: list[str] = []
        # Their types are declared on FaultInjection, which uses them.
        self._faults = {}
        self._chat_faults = {}
        handlers: dict[str, Callable[[ApiCall], Any]] = {
            "getMe": lambda call: self.bot_user,
            "getUpdates": lambda call: [],  # placeholder: answered by the async long poll below
            "deleteWebhook": self._delete_webhook,
            "setWebhook": self._set_webhook,
            "getWebhookInfo": self._webhook_info,
            "setMyCommands": self._set_commands,
            "getMyCommands": lambda call: self.commands.get(self._commands_key(call.params), []),
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "sendChatAction": self._send_chat_action,
            "editMessageText": self._edit_message_text,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": lambda call: True,
            "getChat": self._get_chat,
            "getFile": self._get_file,
            "close": lambda call: True,
            "logOut": lambda call: True,
        }
        # Telegram matches method names case-insensitively.
        self._methods = {name.lower(): (name, handler) for name, handler in handlers.items()}

    # ----- lifecycle ---------------------------------------------------------------------------

    async def __aenter__(self) -> BotApiServer:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        # Cancelling handlers whose client went away ends abandoned long polls at once.
        self._runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._closing = True
        self._notify()
        if self._runner is not None:
            await self._runner.cleanup()

    # ----- inspection --------------------------------------------------------------------------

    def calls_to(self, method: str) -> list[ApiCall]:
        return [call for call in self.calls if call.method.lower() == method.lower()]

    def sent_messages(self, chat_id: int | str | None = None) -> list[ApiCall]:
        """Successful sendMessage/sendPhoto/sendDocument calls, optionally to one chat."""
        return [
            call
            for call in self.calls
            if call.ok
            and call.method in SEND_METHODS
            and (chat_id is None or str(call.params.get("chat_id")) == str(chat_id))
        ]

    @property
    def polling(self) -> bool:
        """Whether a getUpdates long poll is waiting right now."""
        return self._active_polls > 0

    async def wait_for_call(
        self,
        method: str,
        predicate: Callable[[ApiCall], bool] | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109 - a per-call deadline reads better in tests
        count: int = 1,
    ) -> ApiCall:
        """Wait until `count` answered calls to `method` match `predicate`; returns the count-th one.

        Failed calls (injected faults, bad requests) count too; filter on ``call.ok`` if needed.
        """

        def matches() -> list[ApiCall]:
            return [c for c in self.calls_to(method) if predicate is None or predicate(c)]

        try:
            await self._wait(lambda: len(matches()) >= count, timeout)
        except TimeoutError:
            seen = [c.method for c in self.calls]
            raise TimeoutError(f"{count} call(s) to {method} not seen in {timeout}s; calls: {seen}") from None
        return matches()[count - 1]

    async def wait_until_polling(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        await self._wait(lambda: self.polling, timeout)

    async def _wait(self, condition: Callable[[], bool], seconds: float) -> None:
        async with asyncio.timeout(seconds):
            while not condition():
                await self._changed.wait()

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    # ----- updates -----------------------------------------------------------------------------

    def push_update(self, update: JsonDict) -> JsonDict:
        """Queue an update for getUpdates, giving it an update_id if it has none."""
        if "update_id" not in update:
            update["update_id"] = next(self._update_ids)
        self._updates.append(update)
        self._notify()
        return update

    @property
    def pending_updates(self) -> list[JsonDict]:
        return list(self._updates)

    # ----- HTTP --------------------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(ApiError(401, "Unauthorized").payload(), status=401)
        params, files, filenames = await self._read_params(request)
        name = request.match_info["method"]
        canonical, handler = self._methods.get(name.lower(), (name, None))
        call = ApiCall(canonical, params, files, time.time(), filenames)
        try:
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            self._raise_injected_fault(canonical, params)
            call.result = await self._get_updates(call) if canonical == "getUpdates" else handler(call)
        except ApiError as err:
            call.status, call.error = err.code, err.description
            self._record(call)
            return web.json_response(err.payload(), status=err.code)
        self._record(call)
        return web.json_response({"ok": True, "result": call.result})

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(ApiError(401, "Unauthorized").payload(), status=401)
        self.file_requests.append(request.match_info["path"])
        self._notify()
        if self.hold_files is not None:
            await self.hold_files.wait()
        for content, path in self._files.values():
            if path == request.match_info["path"]:
                return web.Response(body=content, content_type="application/octet-stream")
        return web.json_response(ApiError(404, "Not Found").payload(), status=404)

    def _record(self, call: ApiCall) -> None:
        self.calls.append(call)
        self._notify()

    @staticmethod
    async def _read_params(request: web.Request) -> tuple[JsonDict, dict[str, bytes], dict[str, str]]:
        params: JsonDict = {key: _decode_form_value(key, value) for key, value in request.query.items()}
        files: dict[str, bytes] = {}
        filenames: dict[str, str] = {}
        if request.content_type == "application/json":
            body = await request.json() if request.can_read_body else {}
            params.update(body)
        elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            for key, value in (await request.post()).items():
                if isinstance(value, web.FileField):
                    files[key] = value.file.read()
                    filenames[key] = value.filename
                else:
                    params[key] = _decode_form_value(key, str(value))
        return params, files, filenames

    async def deliver_webhook(self, url: str, update: JsonDict, secret_token: str | None = None) -> int:
        """POST `update` to a bot's webhook the way Telegram does; returns the HTTP status."""
        if "update_id" not in update:
            update["update_id"] = next(self._update_ids)
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret_token} if secret_token is not None else {}
        async with aiohttp.ClientSession() as session:
            async with session.post(url, json=update, headers=headers) as resp:
                await resp.read()
                return resp.status

    # ----- long poll and webhook ---------------------------------------------------------------

    async def _get_updates(self, call: ApiCall) -> list[JsonDict]:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = int(call.params.get("offset") or 0)
        limit = min(max(int(call.params.get("limit") or 100), 1), 100)
        timeout = max(float(call.params.get("timeout") or 0), 0.0)
        if offset < 0:
            self._updates = self._updates[offset:]
        elif offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        # A newer poll ends the older one with 409, like Telegram does for competing bot instances.
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()
        self._active_polls += 1
        try:
            if timeout:
                try:
                    await self._wait(
                        lambda: bool(self._updates) or self._closing or generation != self._poll_generation,
                        timeout,
                    )
                except TimeoutError:
                    pass
        finally:
            self._active_polls -= 1
        if generation != self._poll_generation:
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; "
                "make sure that only one bot instance is running",
            )
        return self._updates[:limit]

    def _delete_webhook(self, call: ApiCall) -> bool:
        if call.params.get("drop_pending_updates"):
            self._updates.clear()
        self.webhook_url, self.webhook_secret = "", None
        return True

    def _set_webhook(self, call: ApiCall) -> bool:
        url = str(call.params.get("url") or "")
        if url and not url.startswith("https://"):
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        if call.params.get("drop_pending_updates"):
            self._updates.clear()
        self.webhook_url = url
        self.webhook_secret = call.params.get("secret_token") if url else None
        return True

    def _webhook_info(self, call: ApiCall) -> JsonDict:
        info: JsonDict = {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self.webhook_url:
            info["max_connections"] = 40
        return info


def _decode_form_value(name: str, value: str) -> Any:
    if name in _RAW_STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value
