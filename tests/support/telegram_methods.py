"""The Bot API methods the test server answers about chats, messages, files and commands, the record of
each call, and the error Telegram answers a refused call with."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from tests.support.telegram_html import JsonDict, TelegramHtmlError, parse_telegram_html
from tests.support.telegram_updates import UpdateFactory, timestamp

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024

SEND_METHODS = ("sendMessage", "sendPhoto", "sendDocument")


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


class ApiError(Exception):
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


# The Bot API hands over files of up to 20 MB through getFile.
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024


class BotApiMethods(UpdateFactory):
    """Handlers of `BotApiServer` for the methods that act on chats, messages, files and bot commands; each
    takes the recorded call and returns the ``result`` or raises `ApiError`."""

    commands: dict[str, list[JsonDict]]
    _files: dict[str, tuple[bytes, str]]
    _file_numbers: itertools.count[int]

    @staticmethod
    def _commands_key(params: JsonDict) -> str:
        return json.dumps(params.get("scope") or {"type": "default"}, sort_keys=True) + str(
            params.get("language_code") or ""
        )

    def _set_commands(self, call: ApiCall) -> bool:
        commands = call.params.get("commands")
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        self.commands[self._commands_key(call.params)] = commands
        return True

    def _chat_for(self, params: JsonDict) -> JsonDict:
        raw: Any = params.get("chat_id")
        if isinstance(raw, str) and raw.startswith("@"):
            for chat in self._chats.values():
                if chat.get("username") == raw[1:]:
                    return chat
            raise ApiError(400, "Bad Request: chat not found")
        try:
            return self._chat(int(raw), None)
        except (TypeError, ValueError):
            raise ApiError(400, "Bad Request: chat_id is empty") from None

    def _send_chat_action(self, call: ApiCall) -> bool:
        self._chat_for(call.params)
        return True

    def _outgoing(self, params: JsonDict, body: JsonDict) -> JsonDict:
        chat = self._chat_for(params)
        message: JsonDict = {
            "message_id": self._message_id(chat["id"], None),
            "from": self.bot_user,
            "chat": chat,
            "date": timestamp(None),
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
            raise ApiError(400, f"Bad Request: there is no {param} in the request")
        number = next(self._file_numbers)
        file_id = f"AgACAgIAAxkDAAI{number:08d}"
        self._files[file_id] = (content, f"{folder}/file_{number}.{extension}")
        return file_id, len(content)

    def _get_file(self, call: ApiCall) -> JsonDict:
        stored = self._files.get(str(call.params.get("file_id")))
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        if len(stored[0]) > MAX_DOWNLOAD_BYTES:
            raise ApiError(400, "Bad Request: file is too big")
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
            raise ApiError(400, "Bad Request: message to edit not found")
        if message["from"].get("id") != self.bot_user["id"]:
            raise ApiError(400, "Bad Request: message can't be edited")
        markup = call.params.get("reply_markup")
        if (
            message.get("text") == text
            and message.get("entities", []) == entities
            and (markup is None or markup == message.get("reply_markup"))
        ):
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and "
                "reply markup are exactly the same as a current content and reply markup "
                "of the message",
            )
        message.update(text=text, edit_date=timestamp(None))
        message.pop("entities", None)
        if entities:
            message["entities"] = entities
        if isinstance(markup, dict):
            message["reply_markup"] = markup
        return message

    def _delete_message(self, call: ApiCall) -> bool:
        chat = self._chat_for(call.params)
        if self._messages.pop((chat["id"], int(call.params.get("message_id") or 0)), None) is None:
            raise ApiError(400, "Bad Request: message to delete not found")
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


def _formatted(params: JsonDict, key: str, entities_key: str, limit: int) -> tuple[str, list[JsonDict]]:
    """Apply parse_mode to a text or caption and check it the way Telegram does."""
    raw = params.get(key)
    raw = "" if raw is None else str(raw)
    if str(params.get("parse_mode") or "").lower() == "html":
        try:
            text, entities = parse_telegram_html(raw)
        except TelegramHtmlError as exc:
            raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
    else:
        # Only HTML is interpreted; Markdown text is kept as sent.
        text = raw
        given = params.get(entities_key)
        entities = given if isinstance(given, list) else []
    if key == "text" and not text.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    if len(text) > limit:
        reason = "message is too long" if key == "text" else "message caption is too long"
        raise ApiError(400, f"Bad Request: {reason}")
    return text, entities
