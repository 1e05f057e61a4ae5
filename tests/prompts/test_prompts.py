"""Prompt files: shipped as package data, rendered with exactly the variables the code supplies."""

from __future__ import annotations

import pytest

import prompts
from prompts import Prompt, PromptError


def test_every_prompt_file_matches_the_code() -> None:
    prompts.check_all()
    assert set(prompts.names()) == set(prompts.EXPECTED)


@pytest.mark.parametrize("name", sorted(prompts.EXPECTED))
def test_each_prompt_renders_with_its_variables(name: str) -> None:
    prompt = prompts.load(name)
    values = {v: f"<{v}-value>" for v in prompts.EXPECTED[name]}
    text = prompt.render(**values)
    for value in values.values():
        assert value in text
    assert "{" + next(iter(values)) + "}" not in text


def test_missing_or_extra_variables_raise() -> None:
    prompt = Prompt("t", "Q: {question} on {today}")
    with pytest.raises(PromptError, match="missing"):
        prompt.render(question="x")
    with pytest.raises(PromptError, match="unexpected"):
        prompt.render(question="x", today="y", sources="z")


def test_values_are_not_rescanned_and_braces_escape() -> None:
    prompt = Prompt("t", "{{literal}} {question}")
    # A value that looks like a placeholder stays text: article content cannot pull in another variable.
    assert prompt.render(question="{today} {{x}}") == "{literal} {today} {{x}}"


def test_drift_between_files_and_code_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    drifted = dict(prompts.EXPECTED)
    drifted["briefing_user"] = frozenset({"question", "sources"})
    drifted["no_such_prompt"] = frozenset()
    monkeypatch.setattr(prompts, "EXPECTED", drifted)
    with pytest.raises(PromptError) as caught:
        prompts.check_all()
    message = str(caught.value)
    assert "briefing_user" in message and "no_such_prompt: prompt file missing" in message


def test_unknown_or_malformed_names_raise() -> None:
    with pytest.raises(PromptError):
        prompts.load("does_not_exist")
    with pytest.raises(PromptError):
        prompts.load("../pyproject")
