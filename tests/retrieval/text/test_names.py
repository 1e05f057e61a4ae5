"""One speaker across scripts and spellings, and different people kept apart."""

from __future__ import annotations

import pytest

from retrieval.text import name_key, person_key, romanise, same_person


@pytest.mark.parametrize(
    "variants",
    [
        ["Zelensky", "Zelenskyy", "Zelenskiy", "Zelenskyi", "Зеленский", "Зеленський"],
        ["Peskov", "Песков", "Пєсков"],
        ["Lavrov", "Лавров"],
        ["Shoigu", "Shoygu", "Шойгу"],
        ["Kuleba", "Кулеба"],
        ["Yermak", "Єрмак", "Ермак"],
        ["Sybiha", "Сибіга"],
        ["Zakharova", "Захарова"],
        ["Nebenzya", "Nebenzia", "Небензя"],
        ["Dmitry Peskov", "Dmitri Peskov", "Дмитрий Песков"],
        ["Andriy Yermak", "Andrii Yermak", "Андрій Єрмак"],
        ["Sergei Lavrov", "Sergey Lavrov", "Сергей Лавров"],
    ],
)
def test_spellings_of_one_name_share_a_key(variants: list[str]) -> None:
    assert len({name_key(v) for v in variants}) == 1, {v: name_key(v) for v in variants}


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Vladimir Zelensky", "Володимир Зеленський"),
        ("Volodymyr Zelenskyy", "Владимир Зеленский"),
        ("Dmytro Kuleba", "Дмитрий Кулеба"),
        ("Yuri Ushakov", "Юрий Ушаков"),
    ],
)
def test_one_person_across_first_name_forms(one: str, other: str) -> None:
    assert person_key(one) == person_key(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Peskov", "Peskova"),
        ("Песков", "Пескова"),
        ("Zelensky", "Zelenska"),
        ("Volodymyr Zelensky", "Олена Зеленська"),
        ("Dmitry Peskov", "Nikolai Peskov"),
        ("Sergei Lavrov", "Anna Lavrova"),
        ("Lavrov", "Lavrin"),
        ("Hill", "Gill"),
    ],
)
def test_different_people_stay_apart(one: str, other: str) -> None:
    assert person_key(one) != person_key(other)


def test_romanisation_follows_the_standard_tables() -> None:
    # Russian, BGN/PCGN without diacritics: е is "ye" at a word's start, й "y", х "kh".
    assert romanise("Ермак Шойгу Хуснуллин") == "Yermak Shoygu Khusnullin"
    # Ukrainian, the national system of 2010: г "h", и "y", є "ie" inside a word, й "i" at its end.
    assert romanise("Сибіга Пєсков Зеленський") == "Sybiha Pieskov Zelenskyi"
    assert romanise("Peskov said") == "Peskov said"  # Latin text is left alone


def test_the_person_asked_about() -> None:
    assert same_person("Zelenskyy", "Владимир Зеленский")
    assert same_person("Песков", "Dmitry Peskov") and same_person("Dmitri Peskov", "Пєсков")
    assert not same_person("Peskov", "Elizaveta Peskova")
    assert not same_person("Dmitry Peskov", "Nikolai Peskov")
    assert not same_person("", "Peskov")
