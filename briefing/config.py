"""What the briefing layer is configured with, as plain values: whoever builds a briefer (the composition
root, `bot.services`) fills them in from its own settings, so briefing reads no settings of the bot."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class LLMConfig:
    """An OpenAI-compatible chat endpoint that writes briefings (OpenAI, Ollama, vLLM, ...)."""

    model: str
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)  # never in a log line
    timeout: float = 60.0
    max_retries: int = 2
