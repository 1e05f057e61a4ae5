"""Updates as Telegram would deliver them (text messages, commands, forwards, edits, group migrations,
button presses), built against the chats, users and messages the test server keeps."""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Mapping, Sequence
from datetime import datetime

from tests.support.telegram_html import JsonDict, utf16_len

BOT_USERNAME = "briefbot_test_bot"
DEFAULT_USER_ID = 700_001

_URL_RE = re.compile(r"https?://[^\s<>\"']+")
_COMMAND_RE = re.compile(r"^/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
_MENTION_RE = re.compile(r"(?<![\w@/])@[A-Za-z][A-Za-z0-9_]{4,31}\b")


def _auto_entities(text: str) -> list[JsonDict]:
    """The entities Telegram attaches to an incoming plain message: a leading command, @mentions and bare
    URLs."""
    entities: list[JsonDict] = []
    command = _COMMAND_RE.match(text)
    if command:
        entities.append({"type": "bot_command", "offset": 0, "length": utf16_len(command.group())})
    for match in _MENTION_RE.finditer(text):
        if command and match.start() < command.end():
            continue
        offset, length = utf16_len(text[: match.start()]), utf16_len(match.group())
        entities.append({"type": "mention", "offset": offset, "length": length})
    for match in _URL_RE.finditer(text):
        url = match.group().rstrip(".,;:!?)")
        entities.append({"type": "url", "offset": utf16_len(text[: match.start()]), "length": utf16_len(url)})
    return sorted(entities, key=lambda e: int(e["offset"]))


def timestamp(value: int | float | datetime | None) -> int:
    if value is None:
        return int(time.time())
    if isinstance(value, datetime):
        return int(value.timestamp())
    return int(value)


class UpdateFactory:
    """The ``make_*`` update builders of `BotApiServer`, and the chats and messages they share with the
    Bot API methods. The server's ``__init__`` creates this state."""

    bot_user: JsonDict
    _update_ids: itertools.count[int]
    _last_message_ids: dict[int, int]
    _messages: dict[tuple[int, int], JsonDict]
    _chats: dict[int, JsonDict]
    _files: dict[str, tuple[bytes, str]]
    _file_numbers: itertools.count[int]

    def make_text_message(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        chat_type: str | None = None,
        entities: list[JsonDict] | None = None,
        reply_to_bot: bool = False,
        reply_to_user: int | None = None,
        message_id: int | None = None,
    ) -> JsonDict:
        """An Update with a user's text message; entities default to what Telegram would detect.

        `reply_to_bot` makes it a reply to one of the bot's messages, `reply_to_user` to that user's."""
        reply_to = self._bot_message(chat_id, "Earlier briefing.") if reply_to_bot else None
        if reply_to_user is not None:
            reply_to = self._incoming(chat_id, "Earlier remark.", user_id=reply_to_user, chat_type=chat_type)
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
        origin: JsonDict = {"type": origin_type, "date": timestamp(origin_date)}
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

    def make_document(
        self,
        chat_id: int,
        content: bytes,
        file_name: str | None,
        *,
        caption: str | None = None,
        mime_type: str = "application/octet-stream",
        declared_size: int | None = None,
        forward_from_channel: tuple[int, str | None, int] | None = None,
        user_id: int | None = None,
        chat_type: str | None = None,
        reply_to_bot: bool = False,
    ) -> JsonDict:
        """An Update with a file sent as a document, kept by the server for getFile and its download.

        `declared_size` is the file_size Telegram reports (the real size by default);
        `forward_from_channel` = (channel id, username, post id) makes it a forwarded channel post."""
        number = next(self._file_numbers)
        file_id = f"BQACAgIAAxkBAAI{number:08d}"
        self._files[file_id] = (content, f"documents/file_{number}")
        message = self._incoming(chat_id, None, user_id=user_id, chat_type=chat_type)
        document: JsonDict = {
            "file_id": file_id,
            "file_unique_id": f"AgAD{number:08d}",
            "file_size": len(content) if declared_size is None else declared_size,
            "mime_type": mime_type,
        }
        if file_name is not None:
            document["file_name"] = file_name
        message["document"] = document
        if caption is not None:
            message["caption"] = caption
            found = _auto_entities(caption)
            if found:
                message["caption_entities"] = found
        if reply_to_bot:
            message["reply_to_message"] = self._bot_message(chat_id, "Earlier briefing.")
        if forward_from_channel is not None:
            channel_id, username, post_id = forward_from_channel
            source: JsonDict = {"id": channel_id, "type": "channel", "title": "News Channel"}
            if username:
                source["username"] = username
            message["forward_origin"] = {
                "type": "channel", "date": timestamp(None), "chat": source, "message_id": post_id,
            }  # fmt: skip
        return self._update({"message": message})

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

    def make_migrated_from(self, new_chat_id: int, old_chat_id: int) -> JsonDict:
        """The service message the new supergroup gets, naming the group it was upgraded from."""
        message = self._incoming(new_chat_id, None, user_id=None, chat_type="supergroup")
        message["migrate_from_chat_id"] = old_chat_id
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
            "date": timestamp(None),
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
            "date": timestamp(None),
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
