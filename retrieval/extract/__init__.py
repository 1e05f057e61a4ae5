"""From a fetched page or a pasted text to an article: main text, title, outlet, date; hidden text and
instructions aimed at a model are taken out here."""

from ._extract import (
    CLEANING_RULES,
    ExtractError,
    addresses_a_model,
    extract_html,
    extract_text,
    without_instructions,
)

__all__ = [
    "CLEANING_RULES",
    "ExtractError",
    "addresses_a_model",
    "extract_html",
    "extract_text",
    "without_instructions",
]
