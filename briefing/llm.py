"""The LLM writer: any OpenAI-compatible chat endpoint (OpenAI, Ollama, vLLM, ...) writes the briefing.

Sources go to the model as numbered blocks between per-request random delimiters, after normalisation that
removes invisible and direction-changing characters, so article text can neither forge a block boundary nor
hide instructions. The model is told the blocks are data. No tools are offered.

Retries are ours, not the client's (it is built with `max_retries=0`): the SDK would retry every 429, but a
429 for `insufficient_quota` will not heal by waiting, so it must fail at once. Whatever goes wrong, the
offline writer answers instead, with a note saying so.
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
import secrets
import time
import unicodedata
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import openai

import prompts
from briefing.citations import Draft, Passage, normalise_markers
from briefing.config import LLMConfig
from briefing.types import SUMMARY_REJECTED_NOTE, SUMMARY_UNAVAILABLE_NOTE
from briefing.writer import OfflineWriter, Writer
from retrieval.errors import BackendUnavailable
from retrieval.text import CONTROL, MARKER, ends_sentence, guess_language, sentence_spans, strip_invisible

log = logging.getLogger(__name__)

FALLBACK_NOTE = (
    "The language model was unavailable, so this briefing was assembled directly from the sources."
)
UNCITED_NOTE = (
    "The language model's answer did not cite its sources, so this briefing was assembled directly from the "
    "sources."
)
NOT_IN_SOURCES = "NOT_IN_SOURCES"

# Anything shaped like one of our delimiters, whatever its code.
_DELIMITER_LIKE = re.compile(r"<<\s*/?\s*source\b[^>]*>>|<</?|>>", re.IGNORECASE)


class _Unavailable(BackendUnavailable):
    """The model did not answer in time or at all. It never reaches the user: the offline writer answers."""

    service = "the language model"


class _QuotaExhausted(_Unavailable):
    """The account is out of quota: waiting will not help, so the writer stops asking for a while."""


def clean_text(text: str, *, nonce: str = "") -> str:
    """NFKC, no invisible or control characters, nothing that looks like a source delimiter. Invisible
    characters (zero-width, bidi controls, tags) are invisible in a chat but able to hide or reorder text the
    model reads."""
    text = unicodedata.normalize("NFKC", text)
    text = strip_invisible(text)
    text = CONTROL.sub(" ", text)
    if nonce:
        text = re.sub(re.escape(nonce), "", text, flags=re.IGNORECASE)
    return _DELIMITER_LIKE.sub(" ", text)


_LANGUAGE_NAMES = {
    "en": "English", "ru": "Russian", "uk": "Ukrainian", "be": "Belarusian", "bg": "Bulgarian",
    "sr": "Serbian", "mk": "Macedonian", "pl": "Polish", "de": "German", "fr": "French", "es": "Spanish",
    "it": "Italian",
}  # fmt: skip


def language_name(code: str | None) -> str:
    """The language's English name, for the prompt ("ru": "Russian"); English when unknown."""
    return _LANGUAGE_NAMES.get(code or "en", code or "English")


def source_blocks(passages: list[Passage], nonce: str) -> str:
    blocks = []
    for p in passages:
        hit = p.hit
        when = hit.published.date().isoformat() if hit.published else "unknown"
        language = language_name(hit.language or guess_language(hit.text))
        body = "\n".join(
            [
                f"<<source-{nonce} n={p.n}>>",
                f"title: {clean_text(hit.title, nonce=nonce)}",
                f"outlet: {clean_text(hit.outlet, nonce=nonce)}",
                f"date: {when}",
                f"language: {language}",
                "text:",
                clean_text(hit.text, nonce=nonce).strip(),
                f"<</source-{nonce}>>",
            ]
        )
        blocks.append(body)
    return "\n\n".join(blocks)


def complete_sentences(text: str) -> str:
    """A truncated reply cut back to its last complete sentence (with that sentence's markers)."""
    end = 0
    # Line by line: a list item or a heading starts afresh whatever the line before it ended with.
    for line in re.finditer(r"[^\n]+", text):
        for start, stop in sentence_spans(line.group()):
            if ends_sentence(line.group()[start:stop]):
                end = line.start() + stop
    return text[:end]


def _is_quota(exc: openai.APIStatusError) -> bool:
    if exc.code == "insufficient_quota" or getattr(exc, "type", None) == "insufficient_quota":
        return True
    body = exc.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict):
            return "insufficient_quota" in (str(inner.get("code")), str(inner.get("type")))
    return False


def _retry_after(exc: openai.APIStatusError) -> float | None:
    headers = exc.response.headers
    try:
        if "retry-after-ms" in headers:
            return float(headers["retry-after-ms"]) / 1000
        if "retry-after" in headers:
            return float(headers["retry-after"])
    except ValueError:
        return None
    return None


class LLMWriter(Writer):
    name = "llm"

    def __init__(
        self,
        *,
        model: str,
        fallback: OfflineWriter,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: float = 60.0,
        max_retries: int = 2,
        total_timeout: float = 90.0,
        temperature: float = 0.1,
        max_tokens: int = 700,
        quota_cooldown: float = 300.0,
        today: Callable[[], date] | None = None,
    ) -> None:
        # Local servers (Ollama, vLLM) want no key, but the client insists on one.
        self._client = openai.AsyncOpenAI(
            base_url=base_url, api_key=api_key or "not-needed", timeout=timeout, max_retries=0
        )
        self.model = model
        self.fallback = fallback
        self.timeout = timeout
        self.max_retries = max(0, max_retries)
        self.total_timeout = total_timeout
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.quota_cooldown = quota_cooldown
        self._today = today or (lambda: datetime.now(UTC).date())
        self._quota_until = 0.0

    @classmethod
    def from_config(cls, config: LLMConfig, *, fallback: OfflineWriter) -> LLMWriter:
        return cls(
            model=config.model,
            fallback=fallback,
            base_url=config.base_url,
            api_key=config.api_key,
            timeout=config.timeout,
            max_retries=config.max_retries,
            total_timeout=max(config.timeout * 1.5, config.timeout + 5),
        )

    async def aclose(self) -> None:
        await self._client.close()

    def messages(self, question: str, passages: list[Passage]) -> list[dict[str, str]]:
        nonce = secrets.token_hex(8)
        today = self._today().isoformat()
        system = prompts.load("briefing_system").render(today=today)
        user = prompts.load("briefing_user").render(
            question=clean_text(question, nonce=nonce), sources=source_blocks(passages, nonce), today=today,
            language=language_name(guess_language(question)),
        )  # fmt: skip
        return [{"role": "system", "content": system}, {"role": "user", "content": user}]

    def stance_messages(self, actor: str, topic: str | None, passages: list[Passage]) -> list[dict[str, str]]:
        nonce = secrets.token_hex(8)
        today = self._today().isoformat()
        # A stance question names an actor and maybe a topic; their script is all there is to go by.
        asked = language_name(guess_language(f"{actor} {topic or ''}"))
        system = prompts.load("stance_system").render(today=today, language=asked)
        user = prompts.load("stance_user").render(
            actor=clean_text(actor, nonce=nonce),
            topic=clean_text(topic, nonce=nonce) if topic else "any subject",
            sources=source_blocks(passages, nonce),
            today=today,
        )
        return [{"role": "system", "content": system}, {"role": "user", "content": user}]

    async def summarise_stance(self, actor: str, topic: str | None, passages: list[Passage]) -> Draft:
        """The model's summary of the statements, or a Draft with `found` False and a note saying why not."""
        if time.monotonic() < self._quota_until:
            return self._no_summary(SUMMARY_UNAVAILABLE_NOTE, quota=True)
        try:
            async with asyncio.timeout(self.total_timeout):
                reply, finish = await self._complete(self.stance_messages(actor, topic, passages))
        except _QuotaExhausted:
            log.warning("LLM quota exhausted; no stance summaries for %.0fs", self.quota_cooldown)
            self._quota_until = time.monotonic() + self.quota_cooldown
            return self._no_summary(SUMMARY_UNAVAILABLE_NOTE, quota=True)
        except (_Unavailable, TimeoutError) as exc:
            log.warning("LLM unavailable (%s); stance answer without a summary", exc or "timed out")
            return self._no_summary(SUMMARY_UNAVAILABLE_NOTE)
        text = (reply or "").strip()
        if finish == "length":
            text = complete_sentences(text)
        if text.strip(" .").upper() == NOT_IN_SOURCES:
            return Draft("", writer=self.name, found=False)
        if not text:
            return self._no_summary(SUMMARY_UNAVAILABLE_NOTE)
        if not MARKER.search(normalise_markers(text)):
            return self._no_summary(SUMMARY_REJECTED_NOTE)
        return Draft(text, writer=self.name)

    def _no_summary(self, note: str, *, quota: bool = False) -> Draft:
        return Draft("", writer=self.name, found=False, note=note, quota_exhausted=quota)

    async def write(self, question: str, passages: list[Passage]) -> Draft:
        if time.monotonic() < self._quota_until:
            return await self._offline(question, passages, FALLBACK_NOTE, quota=True)
        try:
            async with asyncio.timeout(self.total_timeout):
                reply, finish = await self._complete(self.messages(question, passages))
        except _QuotaExhausted:
            log.warning("LLM quota exhausted; using the offline writer for %.0fs", self.quota_cooldown)
            self._quota_until = time.monotonic() + self.quota_cooldown
            return await self._offline(question, passages, FALLBACK_NOTE, quota=True)
        except (_Unavailable, TimeoutError) as exc:
            log.warning("LLM unavailable (%s); using the offline writer", exc or "timed out")
            return await self._offline(question, passages, FALLBACK_NOTE)
        draft = await self._draft(question, passages, reply, finish)
        draft.llm_answered = True
        return draft

    async def _draft(
        self, question: str, passages: list[Passage], reply: str | None, finish: str | None
    ) -> Draft:
        text = (reply or "").strip()
        if finish == "length":
            text = complete_sentences(text)
        if text.strip(" .").upper() == NOT_IN_SOURCES:
            return Draft("", writer=self.name, found=False)
        if not text:
            return await self._offline(question, passages, FALLBACK_NOTE)
        if not MARKER.search(normalise_markers(text)):
            return await self._offline(question, passages, UNCITED_NOTE)
        return Draft(text, writer=self.name)

    async def _offline(
        self, question: str, passages: list[Passage], note: str, *, quota: bool = False
    ) -> Draft:
        draft = await self.fallback.write(question, passages)
        draft.note = note
        draft.quota_exhausted = quota
        return draft

    async def _complete(self, messages: list[dict[str, str]]) -> tuple[str | None, str | None]:
        deadline = time.monotonic() + self.total_timeout
        attempt = 0
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0.5:
                raise _Unavailable("out of time")
            try:
                response = await self._client.chat.completions.create(
                    model=self.model,
                    messages=messages,  # type: ignore[arg-type]
                    temperature=self.temperature,
                    max_tokens=self.max_tokens,
                    timeout=min(self.timeout, remaining),
                )
            except openai.RateLimitError as exc:
                if _is_quota(exc):
                    raise _QuotaExhausted from exc
                delay = _retry_after(exc) or self._backoff(attempt)
                reason: Any = exc
            except openai.APIStatusError as exc:
                if exc.status_code < 500:
                    # Bad request, wrong key or model: retrying will not change the answer.
                    raise _Unavailable(f"HTTP {exc.status_code}") from exc
                delay, reason = _retry_after(exc) or self._backoff(attempt), exc
            except openai.APIConnectionError as exc:  # includes APITimeoutError
                delay, reason = self._backoff(attempt), exc
            except openai.OpenAIError as exc:
                raise _Unavailable(type(exc).__name__) from exc
            else:
                if not response.choices:
                    return None, None
                choice = response.choices[0]
                return choice.message.content, choice.finish_reason
            attempt += 1
            if attempt > self.max_retries or delay >= deadline - time.monotonic():
                raise _Unavailable(f"{type(reason).__name__} after {attempt} attempt(s)") from reason
            log.info("LLM call failed (%s); retrying in %.1fs", type(reason).__name__, delay)
            await asyncio.sleep(delay)

    @staticmethod
    def _backoff(attempt: int) -> float:
        return min(8.0, 0.5 * 2**attempt) * (0.75 + random.random() / 2)
