"""Spotting text that addresses a language model instead of a reader (prompt injection).

Matches are flagged for the caller, not removed: an article about prompt injection legitimately
quotes such phrases, and deciding what to do with a flagged article is the caller's business.
Matching runs on normalised text (NFKC, invisible characters gone, whitespace collapsed), so a
phrase split with zero-width characters or written in full-width letters is still found.
"""

from __future__ import annotations

import re

from retrieval._cleaning import normalize

_PREVIOUS = (
    r"(?:all\s+|any\s+)?(?:the\s+|your\s+|of\s+the\s+)?"
    r"(?:previous|prior|above|earlier|preceding|former|original)"
)
_ORDERS = r"(?:instructions?|prompts?|messages?|context|directions?|rules|guidelines|commands?|text)"

_PATTERNS = [
    rf"\bignore\s+{_PREVIOUS}\s+{_ORDERS}",
    rf"\bignore\s+(?:all|everything|any)\s+(?:of\s+)?(?:the\s+|your\s+)?{_ORDERS}",
    rf"\bdisregard\s+(?:{_PREVIOUS}\s+{_ORDERS}|(?:all\s+)?(?:the\s+)?(?:above|previous|prior)\b|(?:all|your)\s+{_ORDERS})",
    rf"\bforget\s+(?:{_PREVIOUS}\s+{_ORDERS}|everything\s+(?:above|before|you\s+(?:were|have\s+been)\s+told)"
    rf"|(?:all\s+)?your\s+{_ORDERS})",
    rf"\boverride\s+(?:your|the|all|any)\s+(?:previous\s+|safety\s+|system\s+)?{_ORDERS}",
    r"\byou\s+are\s+now\s+(?:a|an|the|in|my|no\s+longer|free|acting|going\s+to|dan)\b",
    r"\bfrom\s+now\s+on,?\s+you\s+(?:are|will|must|should)\b",
    r"\bsystem\s+prompt\b",
    r"\bas\s+an\s+ai(?:\s+(?:language\s+)?model|\s+assistant)?\b",
    r"\bnew\s+instructions?\s*:",
    r"\b(?:note|message|instructions?)\s+(?:to|for)\s+(?:the\s+)?(?:ai|llm|chatbot|language\s+model|assistant)s?\b",
    r"\bif\s+you\s+are\s+an?\s+(?:ai|llm|language\s+model|chatbot|ai\s+assistant)\b",
    r"\b(?:when|while)\s+summari[sz]ing\s+this\b",
    r"\bdo\s+not\s+(?:tell|inform|mention\s+(?:this\s+)?to|reveal\s+(?:this\s+)?to)\s+the\s+user\b",
    r"\breveal\s+(?:your|the)\s+(?:system\s+)?(?:prompt|instructions)\b",
    r"\bpretend\s+(?:you\s+are|to\s+be)\s+(?:a|an)\b",
    r"\b(?:developer|jailbreak|god)\s+mode\b",
    r"<\|im_start\|>|<\|system\|>|\[/?inst\]|<<sys>>|^\s*(?:system|assistant)\s*:",
]
_MATCHER = re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.IGNORECASE | re.MULTILINE)
_SPACE = re.compile(r"[^\S\n]+")


def find(*texts: str | None) -> list[str]:
    """Instruction-like phrases found in the texts, lower-cased, in order of first appearance."""
    found: list[str] = []
    for text in texts:
        if not text:
            continue
        for match in _MATCHER.finditer(_SPACE.sub(" ", normalize(text))):
            phrase = " ".join(match.group(0).split()).lower()
            if phrase not in found:
                found.append(phrase)
    return found
