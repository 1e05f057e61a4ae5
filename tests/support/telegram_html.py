"""Telegram's parser for Bot API HTML (``parse_mode="HTML"``), as the test server applies it to outgoing
texts and captions: the plain text, its MessageEntity dicts with UTF-16 offsets, and Telegram's own error
wording for markup it would refuse."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NoReturn

JsonDict = dict[str, Any]

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


def _is_name_token_char(char: str) -> bool:
    return (char.isascii() and char.isalnum()) or char in ".-"
