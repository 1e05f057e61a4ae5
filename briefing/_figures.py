"""The numbers a text states, each mention as the set of ways it may be written elsewhere.

"1.5 million", "1,500,000" and "1 500 000" are one figure; so are "Twenty-five" and "25", "2nd" and "second",
"3.50" and "3.5". A claim's figure is supported when one of its forms is among the forms of the cited text.
"""

from __future__ import annotations

import re
from decimal import Decimal

_CARDINALS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty"
)
_ORDINALS = (
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth fourteenth "
    "fifteenth sixteenth seventeenth eighteenth nineteenth twentieth"
)
_SMALL = {w: n for n, w in enumerate(_CARDINALS.split())} | {w: n for n, w in enumerate(_ORDINALS.split(), 1)}
_SMALL |= {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_TENS = frozenset(("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"))
_MULTIPLIER = {"hundred": 100, "dozen": 12}
_SCALE = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
_VALUE = _SMALL | _MULTIPLIER | _SCALE
# After digits: "4 billion", "1.5m", "12k". "m" and "k" may also be metres or a kilometre race, so a claim
# written with them also passes on the bare number.
_SUFFIX = _MULTIPLIER | _SCALE | {"bn": 10**9, "mn": 10**6, "m": 10**6, "k": 10**3}
_AMBIGUOUS = frozenset(("m", "k"))

# Thousands separators: comma, space, no-break space, narrow no-break space. "on 3 100 people" reads as 3100,
# the price of accepting "12 000".
_GAP = "[ ,\u00a0\u202f]"
_DIGITS = re.compile(
    rf"(?<!\d)(?:(\d{{1,3}}(?:{_GAP}\d{{3}})+(?:\.\d+)?)(?!\d)|(\d+(?:[.,]\d+)*))"
    rf"(?:[ \u00a0\u202f-]*({'|'.join(_SUFFIX)})\b)?",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"[a-z]+")


def _form(value: Decimal) -> str:
    """One spelling per value: no grouping, no leading zeros, no trailing decimal zeros."""
    return format(value.normalize(), "f")


def _spelled(words: list[str]) -> list[tuple[int, int]]:
    """(value, word count) of the numbers a run of number words states; "five six" is two numbers."""
    out: list[tuple[int, int]] = []
    total = current = count = 0
    prev = ""
    for word in [*words, ""]:
        if word == "and" and (prev in _MULTIPLIER or prev in _SCALE):
            continue  # "one hundred and twenty"
        small = _SMALL.get(word)
        fits = (
            (small is not None and (current % 100 == 0 or (prev in _TENS and small < 10)))
            or (word in _MULTIPLIER and current < 100)
            or word in _SCALE
        )
        if not fits and count:
            out.append((total + current, count))
            total = current = count = 0
        if word not in _VALUE:  # a plain "and" ("one and two") or the end
            prev = ""
            continue
        if small is not None:
            current += small
        elif word in _MULTIPLIER:
            current = (current or 1) * _MULTIPLIER[word]
        else:
            total, current = total + (current or 1) * _SCALE[word], 0
        count, prev = count + 1, word
    return out


def mentions(text: str, *, source: bool = False) -> list[frozenset[str]]:
    """Each number the text states, as its set of equivalent forms.

    On the claim side a lone number word ("one of", "the second time", "a dozen") is ordinary prose and is not
    a mention; compound ones ("twenty-five", "five thousand") are. On the `source` side every number word
    counts, and a scaled figure also offers its bare number: the source may support more, never less.
    """
    out: list[frozenset[str]] = []
    for match in _DIGITS.finditer(text):
        grouped, plain, suffix = match.groups()
        raw = re.sub(_GAP, "", grouped) if grouped else plain
        if not re.fullmatch(r"\d+(?:\.\d+)?", raw):
            out.append(frozenset((raw,)))  # "1,2,3", "27.02.2025": compared as written
            continue
        forms = {_form(Decimal(raw))}
        if suffix:
            scaled = _form(Decimal(raw) * _SUFFIX[suffix.lower()])
            forms = forms | {scaled} if source or suffix.lower() in _AMBIGUOUS else {scaled}
        out.append(frozenset(forms))
    # Words consumed by a figure ("4 billion") are not read again as numbers of their own.
    words = _DIGITS.sub(" ; ", text).lower()
    runs: list[list[str]] = []
    end = 0
    for token in _TOKEN.finditer(words):
        word = token.group()
        adjacent = bool(runs) and re.fullmatch(r"[\s-]*", words[end : token.start()]) is not None
        if word in _VALUE or (word == "and" and adjacent):
            if not adjacent:
                runs.append([])
            runs[-1].append(word)
            end = token.end()
    for run in runs:
        out.extend(frozenset((str(value),)) for value, count in _spelled(run) if source or count > 1)
        if source:
            out.extend(frozenset((str(_VALUE[w]),)) for w in run if w in _VALUE)
    return out
