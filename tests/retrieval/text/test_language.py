"""Language detection: the model with the Cyrillic letter rules, and the guess questions get."""

from __future__ import annotations

import random

import pytest

from retrieval.text import detect_language, guess_language, script_of


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Песков заявил, что статус новых регионов не обсуждается.", "ru"),
        ("Пєсков заявив, що статус окупованих регіонів не обговорюється.", "uk"),
        ("Прэс-сакратар заявіў, што статус рэгіёнаў не абмяркоўваецца.", "be"),
        ("Говорителят каза, че статутът на регионите не се обсъжда.", "bg"),
        ("Портпарол је рекао да се о статусу региона не преговара.", "sr"),
        ("The spokesman said the status of the regions is not up for talks.", "en"),
        ("Der Sprecher sagte, über den Status der Regionen werde nicht verhandelt.", "de"),
        ("Rzecznik powiedział, że status regionów nie podlega negocjacjom.", "pl"),
    ],
)
def test_news_sentences(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_a_russian_quote_does_not_make_a_ukrainian_article_russian() -> None:
    text = (
        "Речник Кремля знову заявив, що питання статусу регіонів закрите. Його слова, сказані російською, "
        "звучали так: «вопрос закрыт». У Києві відповіли, що жодних переговорів про це не буде, а міністр "
        "закордонних справ назвав заяву черговою спробою тиску на партнерів України."
    )
    assert detect_language(text) == "uk"


def test_too_little_text_gives_the_fallback() -> None:
    assert detect_language("ОК 123", fallback="ru") == "ru"
    assert detect_language("", fallback=None) is None
    # A page that declares English but is written in Russian is Russian.
    russian = "Кремль не комментирует сообщения о переговорах в Стамбуле."
    assert detect_language(russian, fallback="en") == "ru"


@pytest.mark.parametrize(
    ("question", "lang"),
    [
        ("What is the Kremlin's stance on the annexed regions?", "en"),
        ("Что Песков сказал о статусе новых регионов?", "ru"),
        ("Що Сибіга сказав про переговори?", "uk"),
        ("Was hat der Kreml über die Regionen gesagt?", "de"),
        ("¿Qué dijo el Kremlin sobre las regiones?", "es"),
        ("12345 ?", None),
    ],
)
def test_question_guess(question: str, lang: str | None) -> None:
    assert guess_language(question) == lang


def test_script() -> None:
    assert script_of("Песков said") == "Cyrl"
    assert script_of("Peskov сказал that") == "Latn"
    assert script_of("2025 — 42") is None
    assert script_of("Only Latin letters, 2025.") == "Latn"
    assert script_of("Только кириллица, 2025.") == "Cyrl"
    assert script_of("ab вг") == "Latn"  # a tie goes to Latin
    assert script_of("a вг") == "Cyrl"


def test_script_is_the_majority_of_letters_whatever_the_mix() -> None:
    """The shortcuts for texts in one script give what counting every letter gives."""
    rng = random.Random(5)
    alphabet = "abcXYZéñ" + "абвгдЖЩї" + " 0.,—'"
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 12)))
        cyrillic = sum("\u0400" <= c <= "\u04ff" for c in text)
        latin = sum((c.isascii() and c.isalpha()) or "\u00c0" <= c <= "\u024f" for c in text)
        expected = None if not cyrillic and not latin else "Cyrl" if cyrillic > latin else "Latn"
        assert script_of(text) == expected, text
