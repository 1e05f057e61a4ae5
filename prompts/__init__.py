"""Prompt files shipped as package data, rendered with named variables that are checked both ways.

A prompt file is plain text with `{name}` placeholders (`{{` and `}}` stand for literal braces). Values are
inserted verbatim and never re-scanned, so article text containing braces cannot inject a placeholder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

# Each prompt the code uses and the variables its caller supplies. `check_all()` compares the files with this
# table, so a prompt edited out of step with the code fails at start-up instead of at the first question.
EXPECTED: dict[str, frozenset[str]] = {
    "briefing_system": frozenset({"today"}),
    "briefing_user": frozenset({"question", "sources", "today", "language"}),
    "stance_system": frozenset({"today", "language"}),
    "stance_user": frozenset({"actor", "topic", "sources", "today"}),
}

_SUFFIXES = (".txt", ".md")
_TOKEN = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")


class PromptError(Exception):
    """A prompt file is missing, or its variables do not match what the caller supplies."""


@dataclass(frozen=True, slots=True)
class Prompt:
    name: str
    template: str

    @property
    def variables(self) -> frozenset[str]:
        return frozenset(m.group(1) for m in _TOKEN.finditer(self.template) if m.group(1))

    def render(self, **values: object) -> str:
        given, wanted = set(values), self.variables
        if given != wanted:
            missing, extra = sorted(wanted - given), sorted(given - wanted)
            raise PromptError(f"prompt {self.name!r}: missing variables {missing}, unexpected {extra}")

        def fill(match: re.Match[str]) -> str:
            token = match.group(0)
            if token == "{{":
                return "{"
            if token == "}}":
                return "}"
            return str(values[match.group(1)])

        return _TOKEN.sub(fill, self.template)


def names() -> list[str]:
    """Every prompt file shipped in this package, by name (file name without suffix)."""
    return sorted(
        entry.name.rsplit(".", 1)[0]
        for entry in files(__package__).iterdir()
        if entry.is_file() and entry.name.endswith(_SUFFIXES)
    )


@cache
def load(name: str) -> Prompt:
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise PromptError(f"not a prompt name: {name!r}")
    root = files(__package__)
    for suffix in _SUFFIXES:
        entry = root / f"{name}{suffix}"
        if entry.is_file():
            return Prompt(name, entry.read_text(encoding="utf-8"))
    raise PromptError(f"no prompt file named {name!r} in the prompts package")


def check_all() -> None:
    """Verify every prompt file against `EXPECTED`: same set of files, same variables in each."""
    problems: list[str] = []
    present = set(names())
    for name in sorted(present - set(EXPECTED)):
        problems.append(f"{name}: prompt file that no code uses")
    for name, wanted in sorted(EXPECTED.items()):
        if name not in present:
            problems.append(f"{name}: prompt file missing")
            continue
        found = load(name).variables
        if found != wanted:
            problems.append(f"{name}: has variables {sorted(found)}, the code supplies {sorted(wanted)}")
    if problems:
        raise PromptError("prompt files out of step with the code: " + "; ".join(problems))
