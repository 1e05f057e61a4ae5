"""Which language a text is in: py3langid's model (shipped in its wheel) with letter rules for the Cyrillic
languages it confuses on short texts, and a letters-and-function-words guess for questions.

The Cyrillic rules rest on letters a language never writes: Russian has no і ї є ґ ў, Ukrainian no ы э ё ъ,
Belarusian no и щ ъ, Bulgarian no ы э ё і ў, Serbian no й ъ щ ы ь э ю я. A language whose foreign letters
make up more than a sliver of the text is ruled out, and the model chooses among the rest (a quoted Russian
phrase does not make a Ukrainian article Russian). See bench/language.py for what they are worth.

The model takes about 1 s to load and 75 MB of memory, so it is loaded on first use, and only where texts are
stored (the ingestion workers); questions are guessed from their letters and common words (`guess_language`).
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from typing import Any

__all__ = ["detect_language", "guess_language", "load_language_model", "script_of"]

# Fewer letters than this say nothing reliable: the caller's fallback (a page's declared language, the
# article's language for one of its passages) is returned instead.
MIN_LETTERS = 8
# Below this probability the model's choice is no better than the fallback, when there is one.
MIN_CONFIDENCE = 0.5
# A text longer than this is judged on its start: the language does not change half-way through an article,
# and the model's time grows with the length.
MAX_CHARS = 6000

_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_LATIN = re.compile(r"[A-Za-z\u00C0-\u024F]")
_LETTER = re.compile(r"[^\W\d_]")

# Letters each Cyrillic language never writes.
_NEVER: dict[str, str] = {
    "ru": "іїєґўјљњћђџѓќѕ",
    "uk": "ыэёъўјљњћђџѓќѕ",
    "be": "ищъїєґјљњћђџѓќѕ",
    "bg": "ыэёіїєґўјљњћђџѓќѕ",
    "sr": "йъщыьэюяёіїєґўѓќѕ",
    "mk": "йъщыьэюяёіїєґўћђ",
}
_OWN: dict[str, str] = {
    "kk": "әғқңөұүһі",
    "ky": "ңөү",
    "mn": "өү",
    "tg": "ғӣқӯҳҷ",
    "tt": "әөүҗңһ",
    "ba": "ғҙҡңөҫүһә",
}
# Foreign letters tolerated before a language is ruled out: one in fifty of the text's Cyrillic letters
# (names and quotes from a neighbouring language), never in a text as short as a post.
_FOREIGN_SHARE = 0.02

_lock = threading.Lock()
_model: Any = None


def _identifier() -> Any:
    global _model
    with _lock:
        if _model is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            _model = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        return _model


def load_language_model() -> None:
    """Load the model now (in a process that will fork workers, so they share its memory)."""
    _identifier()


def script_of(text: str) -> str | None:
    """ "Cyrl" or "Latn", whichever writes most of the text's letters; None when neither does."""
    # Most texts are in one script: a search that stops at the first letter settles them without a count
    # (answers ask this of every passage and sentence they weigh, many times over).
    if _CYRILLIC.search(text) is None:
        return "Latn" if _LATIN.search(text) else None
    if _LATIN.search(text) is None:
        return "Cyrl"
    cyrillic = len(_CYRILLIC.findall(text))
    latin = len(_LATIN.findall(text))
    if not cyrillic and not latin:
        return None
    return "Cyrl" if cyrillic > latin else "Latn"


def _ruled_out(text: str) -> set[str]:
    """The Cyrillic languages whose never-written letters are too common in `text` to be its language."""
    letters = Counter(c for c in text.lower() if "\u0400" <= c <= "\u04ff")
    total = sum(letters.values())
    allowed = total * _FOREIGN_SHARE
    out = {lang for lang, never in _NEVER.items() if sum(letters[c] for c in never) > allowed}
    # The Turkic and Mongolian Cyrillic alphabets add letters of their own; a text with none of them is
    # Slavic (the model took short Belarusian headlines for Mongolian and Bashkir).
    out.update(lang for lang, own in _OWN.items() if not any(letters[c] for c in own))
    return out


def detect_language(text: str, *, fallback: str | None = None) -> str | None:
    """The text's language as an ISO 639-1 code ("en", "ru", "uk"...), or `fallback` when the text is too
    short or the model too unsure to say."""
    sample = text[:MAX_CHARS]
    if len(_LETTER.findall(sample)) < MIN_LETTERS:
        return fallback
    ranked: list[tuple[str, float]] = _identifier().rank(sample)
    excluded = _ruled_out(sample) if script_of(sample) == "Cyrl" else set()
    passed_over = False
    for lang, probability in ranked:
        # Three-letter codes are the model's rare languages (Pidgin, Bikol...), which short English and
        # Spanish posts were mistaken for; "zxx" is its "no language".
        if len(lang) != 2 or lang in excluded:
            passed_over = passed_over or lang in excluded
            continue
        # When the letters ruled out the model's favourite, they decided, whatever the probability left.
        if fallback is not None and probability < MIN_CONFIDENCE and not passed_over:
            return fallback
        return lang
    return fallback


# Words that open or fill most questions in these languages, and letters only they write.
_QUESTION_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        "what who when where why how is are was were did does do the of and on about to in".split()
    ),
    "de": frozenset("was wer wann wo warum wie ist sind der die das und zu über von den dem hat".split()),
    "fr": frozenset(
        "que qui quand où pourquoi comment est sont le la les des du et sur de quelle quel".split()
    ),
    "es": frozenset("qué quién cuándo dónde por cómo es son el la los las del y sobre de cuál".split()),
    "pl": frozenset("co kto kiedy gdzie dlaczego jak jest są i na o w z czy jaki jakie".split()),
    "it": frozenset("che chi quando dove perché come è sono il lo la gli le del della e su di".split()),
}
_QUESTION_WORDS_CYRILLIC: dict[str, frozenset[str]] = {
    "ru": frozenset("что как кто где когда почему ли о об в на и не это по из за".split()),
    "uk": frozenset("що як хто де коли чому чи про і й у в на не це від за".split()),
    "be": frozenset("што як хто дзе калі чаму ці пра і ў на не гэта ад за".split()),
    "bg": frozenset("какво как кой къде кога защо ли за и на не че са е се да от".split()),
    "sr": frozenset("шта како ко где када зашто ли о и у на не је су се да од за".split()),
    "mk": frozenset("што како кој каде кога зошто ли за и во на не е се да од".split()),
}
_QUESTION_LETTERS = {"de": "äöüß", "fr": "àâçèéêëîïôûœ", "es": "ñáíóú¿¡", "pl": "ąćęłńśźż", "it": "àèìòù"}


def guess_language(text: str) -> str | None:
    """A question's language from its letters and common words, without the model: Cyrillic by the letters
    each language never writes (Russian when nothing decides), Latin by function words and accented letters
    (English when nothing decides). None when the text has no letters of either script."""
    script = script_of(text)
    if script is None:
        return None
    words = re.findall(r"[^\W\d_]+", text.lower())
    if script == "Cyrl":
        excluded = _ruled_out(text)
        # Russian first among equals: of these, it is the language the bot's readers ask in most.
        candidates = [lang for lang in ("ru", "uk", "bg", "sr", "be", "mk") if lang not in excluded] or ["ru"]
        hits = {lang: sum(w in _QUESTION_WORDS_CYRILLIC[lang] for w in words) for lang in candidates}
        return max(candidates, key=lambda lang: hits[lang])
    scores = {lang: sum(w in vocabulary for w in words) for lang, vocabulary in _QUESTION_WORDS.items()}
    lower = text.lower()
    for lang, letters in _QUESTION_LETTERS.items():
        scores[lang] += 2 * sum(lower.count(c) for c in letters)
    best = max(scores, key=lambda lang: (scores[lang], lang == "en"))
    return best if scores[best] > scores["en"] else "en"
