"""The access policy on its own: who is served, how often a refused chat is told, repeated updates."""

from __future__ import annotations

from bot.access import AccessPolicy


def test_a_refused_chat_is_told_once_per_interval() -> None:
    now = [1000.0]
    policy = AccessPolicy([1], remind_every=600.0, clock=lambda: now[0])
    assert policy.allows(1) and not policy.allows(2)
    assert policy.should_tell(2)  # the first message hears its chat id
    now[0] += 599.0
    assert not policy.should_tell(2)  # within ten minutes: silence, so the bot cannot be used to spam
    assert policy.should_tell(3)  # another chat has its own interval
    now[0] += 1.0
    assert policy.should_tell(2)  # ten minutes on: told again
    assert not policy.should_tell(2)


def test_the_refusal_names_the_chat_id_and_whether_anyone_is_allowed() -> None:
    assert "42" in AccessPolicy([]).refusal(42) and "not open to any chat yet" in AccessPolicy([]).refusal(42)
    assert "42" in AccessPolicy([1]).refusal(42)
    assert "not open to any chat yet" not in AccessPolicy([1]).refusal(42)


def test_an_update_delivered_twice_is_a_repeat_within_memory() -> None:
    policy = AccessPolicy([1])
    assert not policy.is_repeat(7) and policy.is_repeat(7)
    for update_id in range(100, 104):
        policy.is_repeat(update_id, remember=3)
    assert not policy.is_repeat(7, remember=3)  # forgotten once newer ones pushed it out
