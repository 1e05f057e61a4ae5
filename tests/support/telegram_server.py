"""A small Telegram Bot API server for tests, spoken to by the real python-telegram-bot client.

python-telegram-bot calls ``POST {base_url}{token}/{method}``; plain calls arrive as an url-encoded form in
which strings are sent as-is and every other value is JSON-encoded, calls with uploads as multipart form
data with the file under the parameter's name. The server also accepts JSON bodies and query strings, as
Telegram does. File downloads are served under ``/file/bot{token}/{file_path}``.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from http import HTTPStatus
from typing import Any, NoReturn

import aiohttp
from aiohttp import web

JsonDict = dict[str, Any]

BOT_USERNAME = "briefbot_test_bot"
MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
DEFAULT_USER_ID = 700_001

_SEND_METHODS = ("sendMessage", "sendPhoto", "sendDocument")
# Methods that target one chat, so `fail_for_chat` applies to them.
_CHAT_METHODS = frozenset({*_SEND_METHODS, "sendChatAction", "editMessageText", "deleteMessage"})
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
_RETRY_AFTER_AUTO = -1

_TAG_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SPACES = " \t\r\n\v\f"
_URL_RE = re.compile(r"https?://[^\s<>\"']+")
_COMMAND_RE = re.compile(r"^/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")


class TelegramHtmlError(ValueError):
    """Text that Telegram would refuse with "can't parse entities"; str() is Telegram's reason."""


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def parse_telegram_html(text: str) -> tuple[str, list[JsonDict]]:
    """Parse Bot API HTML the way Telegram does: returns the plain text and its MessageEntity dicts.

    Raises TelegramHtmlError with Telegram's wording. Like Telegram, an ``&`` that does not start a
    supported entity (``&lt; &gt; &amp; &quot;`` or a numeric reference) is kept literally.
    """
    return _HtmlParser(text).run()


def _decode_entity(text: str, pos: int) -> tuple[str, int] | None:
    """Decode the character reference starting at text[pos] == '&' into (character, next position)."""
    end = pos + 1
    if text.startswith("#", end):
        end += 1
        base = 10
        if text.startswith("x", end):
            base, end = 16, end + 1
        digits_start = end
        allowed = "0123456789abcdefABCDEF" if base == 16 else "0123456789"
        while end < len(text) and text[end] in allowed:
            end += 1
        digits = text[digits_start:end]
        value = int(digits, base) if digits else 0
        # Telegram gives up on over-long references and on code points it cannot encode.
        if value == 0 or value >= 0x10FFFF or 0xD800 <= value <= 0xDFFF or end - pos >= 10:
            return None
        char = chr(value)
    else:
        while end < len(text) and text[end].isascii() and text[end].isalpha():
            end += 1
        named = _NAMED_ENTITIES.get(text[pos + 1 : end])
        if named is None:
            return None
        char = named
    if text.startswith(";", end):
        end += 1
    return char, end


@dataclass(slots=True)
class _OpenTag:
    name: str
    argument: str
    expandable: bool
    offset16: int
    text_start: int


class _HtmlParser:
    def __init__(self, source: str) -> None:
        self.src = source
        self.pos = 0
        self.out: list[str] = []
        self.text_len = 0
        self.len16 = 0
        self.stack: list[_OpenTag] = []
        self.entities: list[JsonDict] = []

    def run(self) -> tuple[str, list[JsonDict]]:
        src = self.src
        while self.pos < len(src):
            char = src[self.pos]
            if char == "&":
                decoded = _decode_entity(src, self.pos)
                if decoded is not None:
                    self._emit(decoded[0])
                    self.pos = decoded[1]
                    continue
            if char != "<":
                self._emit(char)
                self.pos += 1
                continue
            begin = self.pos
            self.pos += 1
            if src.startswith("/", self.pos):
                self._close_tag(begin)
            else:
                self._open_tag(begin)
        if self.stack:
            self._fail(f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"')
        for entity in self.entities:
            if entity["type"] == "code":
                entity.pop("language", None)
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.out), self.entities

    def _emit(self, char: str) -> None:
        self.out.append(char)
        self.text_len += 1
        self.len16 += utf16_len(char)

    def _fail(self, reason: str) -> NoReturn:
        raise TelegramHtmlError(reason)

    def _byte(self, index: int) -> int:
        return len(self.src[:index].encode())

    def _at_end(self) -> bool:
        return self.pos >= len(self.src)

    def _skip_spaces(self) -> None:
        while not self._at_end() and self.src[self.pos] in _SPACES:
            self.pos += 1

    def _scan_until(self, stops: str) -> str:
        start = self.pos
        while not self._at_end() and self.src[self.pos] not in _SPACES and self.src[self.pos] not in stops:
            self.pos += 1
        return self.src[start : self.pos]

    def _open_tag(self, begin: int) -> None:
        name = self._scan_until(">").lower()
        if self._at_end():
            self._fail(f"Unclosed start tag at byte offset {self._byte(begin)}")
        if name not in _TAG_ENTITY_TYPES:
            self._fail(f'Unsupported start tag "{name}" at byte offset {self._byte(begin)}')
        argument, expandable = "", False
        while True:
            self._skip_spaces()
            if self._at_end():
                self._fail(f'Unclosed start tag "{name}" at byte offset {self._byte(begin)}')
            if self.src[self.pos] == ">":
                self.pos += 1
                break
            attribute = self._scan_until("=>").lower()
            if not attribute:
                self._fail(f'Empty attribute name in the tag "{name}" at byte offset {self._byte(begin)}')
            self._skip_spaces()
            if not self.src.startswith("=", self.pos):
                if name == "blockquote" and attribute == "expandable":
                    expandable = True
                    continue
                self._fail(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{name}" at byte offset {self._byte(begin)}'
                )
            self.pos += 1
            self._skip_spaces()
            if self._at_end():
                self._fail(f'Unclosed start tag "{name}" at byte offset {self._byte(begin)}')
            value = self._attribute_value()
            if name == "a" and attribute == "href":
                argument = value
            elif name == "code" and attribute == "class" and value.startswith("language-"):
                argument = value.removeprefix("language-")
            elif name == "span" and attribute == "class" and value.startswith("tg-"):
                argument = value.removeprefix("tg-")
            elif name == "tg-emoji" and attribute == "emoji-id":
                argument = value
        if name == "span" and argument != "spoiler":
            self._fail(f'Tag "span" must have class "tg-spoiler" at byte offset {self._byte(begin)}')
        if name == "tg-emoji" and not argument.isdigit():
            self._fail("Invalid custom emoji identifier specified")
        self.stack.append(_OpenTag(name, argument, expandable, self.len16, self.text_len))

    def _attribute_value(self) -> str:
        src = self.src
        quote = src[self.pos]
        if quote not in "'\"":
            start = self.pos
            while not self._at_end() and _is_name_token_char(src[self.pos]):
                self.pos += 1
            if not self._at_end() and src[self.pos] not in _SPACES and src[self.pos] != ">":
                self._fail(f"Unexpected end of name token at byte offset {self._byte(self.pos)}")
            return src[start : self.pos].lower()
        self.pos += 1
        chars: list[str] = []
        while not self._at_end() and src[self.pos] != quote:
            decoded = _decode_entity(src, self.pos) if src[self.pos] == "&" else None
            if decoded is not None:
                chars.append(decoded[0])
                self.pos = decoded[1]
            else:
                chars.append(src[self.pos])
                self.pos += 1
        if not self._at_end():
            self.pos += 1
        return "".join(chars)

    def _close_tag(self, begin: int) -> None:
        self.pos += 1
        end_name = self._scan_until(">").lower()
        self._skip_spaces()
        if not self.src.startswith(">", self.pos):
            self._fail(f"Unclosed end tag at byte offset {self._byte(begin)}")
        self.pos += 1
        if not self.stack:
            self._fail(f"Unexpected end tag at byte offset {self._byte(begin)}")
        tag = self.stack.pop()
        if end_name and end_name != tag.name:
            self._fail(
                f'Unmatched end tag at byte offset {self._byte(begin)}, expected "</{tag.name}>", '
                f'found "</{end_name}>"'
            )
        length = self.len16 - tag.offset16
        if length > 0:
            self._add_entity(tag, length)

    def _add_entity(self, tag: _OpenTag, length: int) -> None:
        entity: JsonDict = {"type": _TAG_ENTITY_TYPES[tag.name], "offset": tag.offset16, "length": length}
        if tag.name == "a":
            entity["url"] = tag.argument or "".join(self.out[tag.text_start :])
        elif tag.name == "code" and tag.argument:
            entity["language"] = tag.argument
        elif tag.name == "tg-emoji":
            entity["custom_emoji_id"] = tag.argument
        elif tag.name == "blockquote" and tag.expandable:
            entity["type"] = "expandable_blockquote"
        elif tag.name == "pre" and self.entities:
            # <pre><code class="language-x"> collapses into one pre entity carrying the language.
            inner = self.entities[-1]
            if inner["type"] == "code" and inner["offset"] == tag.offset16 and inner["length"] == length:
                self.entities.pop()
                if inner.get("language"):
                    entity["language"] = inner["language"]
        self.entities.append(entity)


def _auto_entities(text: str) -> list[JsonDict]:
    """The entities Telegram attaches to an incoming plain message: a leading command and bare URLs."""
    entities: list[JsonDict] = []
    command = _COMMAND_RE.match(text)
    if command:
        entities.append({"type": "bot_command", "offset": 0, "length": utf16_len(command.group())})
    for match in _URL_RE.finditer(text):
        url = match.group().rstrip(".,;:!?)")
        entities.append({"type": "url", "offset": utf16_len(text[: match.start()]), "length": utf16_len(url)})
    return entities


def _timestamp(value: int | float | datetime | None) -> int:
    if value is None:
        return int(time.time())
    if isinstance(value, datetime):
        return int(value.timestamp())
    return int(value)


@dataclass
class ApiCall:
    """One Bot API request as the server saw it, with what it answered."""

    method: str
    params: dict[str, Any]
    files: dict[str, bytes]
    timestamp: float
    filenames: dict[str, str] = field(default_factory=dict)
    status: int = 200
    result: Any = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass
class _Fault:
    error_code: int
    description: str
    parameters: JsonDict
    remaining: int


class _ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: JsonDict | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters or {}

    def payload(self) -> JsonDict:
        body: JsonDict = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


class BotApiServer:
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
        self._faults: dict[str, list[_Fault]] = {}
        self._chat_faults: dict[str, _Fault] = {}
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
            and call.method in _SEND_METHODS
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

    # ----- fault injection ---------------------------------------------------------------------

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
            raise _ApiError(fault.error_code, fault.description, dict(fault.parameters))
        chat_fault = self._chat_faults.get(str(params.get("chat_id")))
        if chat_fault is not None and method in _CHAT_METHODS:
            raise _ApiError(chat_fault.error_code, chat_fault.description)

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

    def make_text_message(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        chat_type: str | None = None,
        entities: list[JsonDict] | None = None,
        reply_to_bot: bool = False,
        message_id: int | None = None,
    ) -> JsonDict:
        """An Update with a user's text message; entities default to what Telegram would detect."""
        reply_to = self._bot_message(chat_id, "Earlier briefing.") if reply_to_bot else None
        message = self._incoming(
            chat_id, text, user_id=user_id, chat_type=chat_type, entities=entities, message_id=message_id
        )
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        return self._update({"message": message})

    def make_command(
        self,
        chat_id: int,
        command: str,
        args: str = "",
        *,
        chat_type: str | None = None,
        user_id: int | None = None,
        mention_bot: bool = False,
    ) -> JsonDict:
        """An Update with ``/command args``; `mention_bot` writes ``/command@briefbot_test_bot``."""
        head = "/" + command.lstrip("/") + (f"@{BOT_USERNAME}" if mention_bot else "")
        text = f"{head} {args}" if args else head
        return self.make_text_message(chat_id, text, user_id=user_id, chat_type=chat_type)

    def make_forward(
        self,
        chat_id: int,
        text: str,
        *,
        origin_type: str = "user",
        origin_date: int | float | datetime | None = None,
        origin_user_id: int = 800_001,
        origin_sender_name: str = "Hidden Sender",
        origin_chat_id: int = -1001_000_000_001,
        origin_chat_username: str | None = None,
        origin_chat_title: str = "Origin Chat",
        origin_message_id: int = 1,
        user_id: int | None = None,
        chat_type: str | None = None,
        entities: list[JsonDict] | None = None,
    ) -> JsonDict:
        """An Update with a forwarded message; `origin_type` is user, hidden_user, chat or channel."""
        origin: JsonDict = {"type": origin_type, "date": _timestamp(origin_date)}
        if origin_type == "user":
            origin["sender_user"] = self._user(origin_user_id)
        elif origin_type == "hidden_user":
            origin["sender_user_name"] = origin_sender_name
        elif origin_type in ("chat", "channel"):
            source: JsonDict = {
                "id": origin_chat_id,
                "type": "channel" if origin_type == "channel" else "supergroup",
                "title": origin_chat_title,
            }
            if origin_chat_username:
                source["username"] = origin_chat_username
            origin["sender_chat" if origin_type == "chat" else "chat"] = source
            if origin_type == "channel":
                origin["message_id"] = origin_message_id
        else:
            raise ValueError(f"unknown forward origin type {origin_type!r}")
        message = self._incoming(chat_id, text, user_id=user_id, chat_type=chat_type, entities=entities)
        message["forward_origin"] = origin
        return self._update({"message": message})

    def make_forwarded_channel_post(
        self,
        chat_id: int,
        text: str,
        channel_id: int,
        channel_username: str | None,
        channel_post_id: int,
        origin_date: int | float | datetime | None = None,
        *,
        channel_title: str = "News Channel",
        user_id: int | None = None,
        chat_type: str | None = None,
        entities: list[JsonDict] | None = None,
    ) -> JsonDict:
        return self.make_forward(
            chat_id,
            text,
            origin_type="channel",
            origin_date=origin_date,
            origin_chat_id=channel_id,
            origin_chat_username=channel_username,
            origin_chat_title=channel_title,
            origin_message_id=channel_post_id,
            user_id=user_id,
            chat_type=chat_type,
            entities=entities,
        )

    def make_message_with_links(
        self,
        chat_id: int,
        text: str,
        urls: Sequence[str] | Mapping[str, str],
        *,
        user_id: int | None = None,
        chat_type: str | None = None,
    ) -> JsonDict:
        """A message with links: a sequence gives ``url`` entities (URLs missing from `text` are
        appended on new lines); a mapping of label to URL gives ``text_link`` entities on each label."""
        entities: list[JsonDict] = []
        if isinstance(urls, Mapping):
            for label, url in urls.items():
                start = text.find(label)
                if start < 0:
                    raise ValueError(f"label {label!r} not in text")
                entities.append(
                    {
                        "type": "text_link",
                        "offset": utf16_len(text[:start]),
                        "length": utf16_len(label),
                        "url": url,
                    }
                )
        else:
            for url in urls:
                if url not in text:
                    text = f"{text}\n{url}"
                start = text.find(url)
                entities.append({"type": "url", "offset": utf16_len(text[:start]), "length": utf16_len(url)})
        entities.sort(key=lambda e: e["offset"])
        return self.make_text_message(chat_id, text, user_id=user_id, chat_type=chat_type, entities=entities)

    def make_edited_message(
        self,
        chat_id: int,
        message_id: int,
        text: str,
        *,
        user_id: int | None = None,
        chat_type: str | None = None,
        entities: list[JsonDict] | None = None,
    ) -> JsonDict:
        message = self._incoming(
            chat_id, text, user_id=user_id, chat_type=chat_type, entities=entities, message_id=message_id
        )
        message["edit_date"] = message["date"]
        return self._update({"edited_message": message})

    def make_migrate(self, chat_id: int, new_chat_id: int, *, user_id: int | None = None) -> JsonDict:
        """The service message a group gets when it is upgraded to the supergroup `new_chat_id`."""
        message = self._incoming(chat_id, None, user_id=user_id, chat_type=None)
        message["migrate_to_chat_id"] = new_chat_id
        title = message["chat"].get("title")
        self._chats[new_chat_id] = {"id": new_chat_id, "type": "supergroup", "title": title}
        return self._update({"message": message})

    def make_callback_query(
        self, chat_id: int, data: str, *, message_id: int | None = None, user_id: int | None = None
    ) -> JsonDict:
        """A button press on one of the bot's messages (a fresh one unless `message_id` names one)."""
        message = self._messages.get((chat_id, message_id or 0)) or self._bot_message(chat_id, "Buttons")
        sender = user_id if user_id is not None else self._default_user(chat_id)
        query = {
            "id": str(next(self._update_ids)),
            "from": self._user(sender),
            "message": message,
            "chat_instance": str(abs(chat_id)),
            "data": data,
        }
        return self._update({"callback_query": query})

    def _update(self, body: JsonDict) -> JsonDict:
        return {"update_id": next(self._update_ids), **body}

    def _incoming(
        self,
        chat_id: int,
        text: str | None,
        *,
        user_id: int | None,
        chat_type: str | None,
        entities: list[JsonDict] | None = None,
        message_id: int | None = None,
    ) -> JsonDict:
        chat = self._chat(chat_id, chat_type)
        sender = user_id if user_id is not None else self._default_user(chat_id)
        message: JsonDict = {
            "message_id": self._message_id(chat_id, message_id),
            "from": self._user(sender),
            "chat": chat,
            "date": _timestamp(None),
        }
        if text is not None:
            message["text"] = text
            found = _auto_entities(text) if entities is None else entities
            if found:
                message["entities"] = found
        self._messages[(chat_id, message["message_id"])] = message
        return message

    def _bot_message(self, chat_id: int, text: str) -> JsonDict:
        message: JsonDict = {
            "message_id": self._message_id(chat_id, None),
            "from": self.bot_user,
            "chat": self._chat(chat_id, None),
            "date": _timestamp(None),
            "text": text,
        }
        self._messages[(chat_id, message["message_id"])] = message
        return message

    def _message_id(self, chat_id: int, wanted: int | None) -> int:
        last = self._last_message_ids.get(chat_id, 0)
        chosen = wanted if wanted is not None else last + 1
        self._last_message_ids[chat_id] = max(last, chosen)
        return chosen

    def _default_user(self, chat_id: int) -> int:
        return chat_id if self._chat(chat_id, None)["type"] == "private" else DEFAULT_USER_ID

    @staticmethod
    def _user(user_id: int) -> JsonDict:
        return {
            "id": user_id,
            "is_bot": False,
            "first_name": "Test",
            "last_name": f"User{user_id}",
            "username": f"user{user_id}",
            "language_code": "en",
        }

    def _chat(self, chat_id: int, chat_type: str | None) -> JsonDict:
        known = self._chats.get(chat_id)
        if known is not None and chat_type in (None, known["type"]):
            return known
        if chat_type is None:
            chat_type = "private" if chat_id > 0 else "supergroup" if chat_id < -(10**12) else "group"
        chat: JsonDict = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat.update(first_name="Test", last_name=f"User{chat_id}", username=f"user{chat_id}")
        else:
            chat["title"] = f"Test {chat_type} {abs(chat_id)}"
        self._chats[chat_id] = chat
        return chat

    # ----- HTTP --------------------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(_ApiError(401, "Unauthorized").payload(), status=401)
        params, files, filenames = await self._read_params(request)
        name = request.match_info["method"]
        canonical, handler = self._methods.get(name.lower(), (name, None))
        call = ApiCall(canonical, params, files, time.time(), filenames)
        try:
            if handler is None:
                raise _ApiError(404, "Not Found: method not found")
            self._raise_injected_fault(canonical, params)
            call.result = await self._get_updates(call) if canonical == "getUpdates" else handler(call)
        except _ApiError as err:
            call.status, call.error = err.code, err.description
            self._record(call)
            return web.json_response(err.payload(), status=err.code)
        self._record(call)
        return web.json_response({"ok": True, "result": call.result})

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(_ApiError(401, "Unauthorized").payload(), status=401)
        for content, path in self._files.values():
            if path == request.match_info["path"]:
                return web.Response(body=content, content_type="application/octet-stream")
        return web.json_response(_ApiError(404, "Not Found").payload(), status=404)

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

    # ----- methods -----------------------------------------------------------------------------

    async def _get_updates(self, call: ApiCall) -> list[JsonDict]:
        if self.webhook_url:
            raise _ApiError(
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
            raise _ApiError(
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
            raise _ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
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

    @staticmethod
    def _commands_key(params: JsonDict) -> str:
        return json.dumps(params.get("scope") or {"type": "default"}, sort_keys=True) + str(
            params.get("language_code") or ""
        )

    def _set_commands(self, call: ApiCall) -> bool:
        commands = call.params.get("commands")
        if not isinstance(commands, list):
            raise _ApiError(400, "Bad Request: can't parse commands JSON object")
        self.commands[self._commands_key(call.params)] = commands
        return True

    def _chat_for(self, params: JsonDict) -> JsonDict:
        raw: Any = params.get("chat_id")
        if isinstance(raw, str) and raw.startswith("@"):
            for chat in self._chats.values():
                if chat.get("username") == raw[1:]:
                    return chat
            raise _ApiError(400, "Bad Request: chat not found")
        try:
            return self._chat(int(raw), None)
        except (TypeError, ValueError):
            raise _ApiError(400, "Bad Request: chat_id is empty") from None

    def _send_chat_action(self, call: ApiCall) -> bool:
        self._chat_for(call.params)
        return True

    def _outgoing(self, params: JsonDict, body: JsonDict) -> JsonDict:
        chat = self._chat_for(params)
        message: JsonDict = {
            "message_id": self._message_id(chat["id"], None),
            "from": self.bot_user,
            "chat": chat,
            "date": _timestamp(None),
            **body,
        }
        if isinstance(params.get("reply_markup"), dict) and "inline_keyboard" in params["reply_markup"]:
            message["reply_markup"] = params["reply_markup"]
        self._messages[(chat["id"], message["message_id"])] = message
        return message

    def _send_message(self, call: ApiCall) -> JsonDict:
        text, entities = _formatted(call.params, "text", "entities", MAX_TEXT_LENGTH)
        body: JsonDict = {"text": text}
        if entities:
            body["entities"] = entities
        if isinstance(call.params.get("link_preview_options"), dict):
            body["link_preview_options"] = call.params["link_preview_options"]
        return self._outgoing(call.params, body)

    def _send_photo(self, call: ApiCall) -> JsonDict:
        body = self._caption(call.params)
        file_id, size = self._store_file(call, "photo", "photos", "jpg")
        unique = file_id[-8:]
        body["photo"] = [
            {"file_id": f"{file_id}-s", "file_unique_id": f"{unique}s", "width": 90, "height": 60},
            {"file_id": file_id, "file_unique_id": unique, "width": 1280, "height": 853, "file_size": size},
        ]
        return self._outgoing(call.params, body)

    def _send_document(self, call: ApiCall) -> JsonDict:
        body = self._caption(call.params)
        file_id, size = self._store_file(call, "document", "documents", "bin")
        body["document"] = {
            "file_id": file_id,
            "file_unique_id": file_id[-8:],
            "file_size": size,
            "file_name": call.filenames.get("document", "document"),
            "mime_type": "application/octet-stream",
        }
        return self._outgoing(call.params, body)

    @staticmethod
    def _caption(params: JsonDict) -> JsonDict:
        if params.get("caption") is None:
            return {}
        caption, entities = _formatted(params, "caption", "caption_entities", MAX_CAPTION_LENGTH)
        body: JsonDict = {"caption": caption}
        if entities:
            body["caption_entities"] = entities
        return body

    def _store_file(self, call: ApiCall, param: str, folder: str, extension: str) -> tuple[str, int]:
        if param in call.files:
            content = call.files[param]
        elif isinstance(call.params.get(param), str) and call.params[param] in self._files:
            return call.params[param], len(self._files[call.params[param]][0])
        elif call.params.get(param):
            content = b""  # sent by URL: Telegram would fetch it; nothing to keep here
        else:
            raise _ApiError(400, f"Bad Request: there is no {param} in the request")
        number = next(self._file_numbers)
        file_id = f"AgACAgIAAxkDAAI{number:08d}"
        self._files[file_id] = (content, f"{folder}/file_{number}.{extension}")
        return file_id, len(content)

    def _get_file(self, call: ApiCall) -> JsonDict:
        stored = self._files.get(str(call.params.get("file_id")))
        if stored is None:
            raise _ApiError(400, "Bad Request: invalid file_id")
        file_id = str(call.params["file_id"])
        return {
            "file_id": file_id,
            "file_unique_id": file_id[-8:],
            "file_size": len(stored[0]),
            "file_path": stored[1],
        }

    def _edit_message_text(self, call: ApiCall) -> JsonDict | bool:
        text, entities = _formatted(call.params, "text", "entities", MAX_TEXT_LENGTH)
        if call.params.get("inline_message_id"):
            return True
        chat = self._chat_for(call.params)
        message = self._messages.get((chat["id"], int(call.params.get("message_id") or 0)))
        if message is None:
            raise _ApiError(400, "Bad Request: message to edit not found")
        if message["from"].get("id") != self.bot_user["id"]:
            raise _ApiError(400, "Bad Request: message can't be edited")
        markup = call.params.get("reply_markup")
        if (
            message.get("text") == text
            and message.get("entities", []) == entities
            and (markup is None or markup == message.get("reply_markup"))
        ):
            raise _ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and "
                "reply markup are exactly the same as a current content and reply markup "
                "of the message",
            )
        message.update(text=text, edit_date=_timestamp(None))
        message.pop("entities", None)
        if entities:
            message["entities"] = entities
        if isinstance(markup, dict):
            message["reply_markup"] = markup
        return message

    def _delete_message(self, call: ApiCall) -> bool:
        chat = self._chat_for(call.params)
        if self._messages.pop((chat["id"], int(call.params.get("message_id") or 0)), None) is None:
            raise _ApiError(400, "Bad Request: message to delete not found")
        return True

    def _get_chat(self, call: ApiCall) -> JsonDict:
        gift_kinds = (
            "unlimited_gifts",
            "limited_gifts",
            "unique_gifts",
            "premium_subscription",
            "gifts_from_channels",
        )
        gifts = dict.fromkeys(gift_kinds, True)
        return {
            **self._chat_for(call.params),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": gifts,
        }


def _status_phrase(code: int) -> str:
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return "Error"


def _is_name_token_char(char: str) -> bool:
    return (char.isascii() and char.isalnum()) or char in ".-"


def _decode_form_value(name: str, value: str) -> Any:
    if name in _RAW_STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _formatted(params: JsonDict, key: str, entities_key: str, limit: int) -> tuple[str, list[JsonDict]]:
    """Apply parse_mode to a text or caption and check it the way Telegram does."""
    raw = params.get(key)
    raw = "" if raw is None else str(raw)
    if str(params.get("parse_mode") or "").lower() == "html":
        try:
            text, entities = parse_telegram_html(raw)
        except TelegramHtmlError as exc:
            raise _ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
    else:
        # Only HTML is interpreted; Markdown text is kept as sent.
        text = raw
        given = params.get(entities_key)
        entities = given if isinstance(given, list) else []
    if key == "text" and not text.strip():
        raise _ApiError(400, "Bad Request: message text is empty")
    if len(text) > limit:
        reason = "message is too long" if key == "text" else "message caption is too long"
        raise _ApiError(400, f"Bad Request: {reason}")
    return text, entities
