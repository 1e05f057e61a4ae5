"""What the reader of a Russian or Ukrainian article remembers, in reading order: the people it named (in the
nominative, with their role and gender), the organisations, who was mentioned lately, and when each speaker
spoke. A surname, a title ("министр", "мер"), a pronoun ("он", "вона") or a generic body ("в ведомстве")
resolves only against what came before."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from ._discourse import Speaker
from ._slavic_names import lemma, nominative_surname, surname_forms
from ._slavic_words import FEMININE_ROLES, GENERIC_BODIES, OUTLET_WORDS, ROLE_WORDS

# How many sentences back a pronoun may reach for its antecedent, and a title for the person holding it.
_PRONOUN_REACH = 3
_TITLE_REACH = 12
_GOVERNMENT = frozenset(
    """министерство міністерство ведомство відомство правительство уряд прокуратура полиция поліція мэрия
    мерія администрация адміністрація служба управление управління комиссия комісія департамент комитет
    комітет посольство""".split()
)


# Words after a title that point back rather than narrow it down: "глава ведомства", "мэр города".
_POINTING_BACK = frozenset(
    """ведомства відомства компании компанії клуба клубу города міста района району области області
    предприятия підприємства службы служби центра центру фракции фракції партии партії""".split()
)


@dataclass(slots=True)
class Org:
    speaker: Speaker
    heads: frozenset[str]  # nominative nouns that may stand for it ("министерство", "агентство")


@dataclass(slots=True)
class Memory:
    language: str
    published: datetime | None
    year: int | None = None
    people: dict[str, Speaker] = field(default_factory=dict)  # nominative full name -> speaker
    genders: dict[str, str] = field(default_factory=dict)  # name -> "m" | "f"
    orgs: list[Org] = field(default_factory=list)
    salient: list[tuple[Speaker, int]] = field(default_factory=list)  # mentions, latest last
    dates: dict[str, datetime] = field(default_factory=dict)
    scene: datetime | None = None  # the day a sentence that says nothing set the article's events on
    sentence: int = 0
    paragraph: int = 0

    # --- people -------------------------------------------------------------------------------------------

    def person(self, given: str | None, surname: str, role: str | None, gender: str | None) -> Speaker:
        """A person named in full or by surname (both nominative): the one met before if any, else a new
        one."""
        known = self.by_surname(surname, exact=True)
        if known is not None and (
            given is None or known.name.split()[0] == given or len(known.name.split()) == 1
        ):
            if given is not None and len(known.name.split()) == 1:
                known = self._add(f"{given} {surname}", role or known.role, gender)
            elif role and not known.role:
                known = self._add(known.name, role, gender)
            return known
        return self._add(f"{given} {surname}" if given else surname, role, gender)

    def _add(self, name: str, role: str | None, gender: str | None) -> Speaker:
        speaker = Speaker(name, role, person=True)
        self.people[name] = speaker
        gender = gender or _role_gender(role)
        if gender in ("m", "f"):
            self.genders.setdefault(name, gender)
        return speaker

    def by_surname(self, word: str, *, exact: bool = False) -> Speaker | None:
        """The person met before whose surname this is, in the nominative or (unless `exact`) in any case."""
        low = word.lower().replace("ё", "е")
        for speaker in reversed(list(self.people.values())):
            surname = speaker.name.split()[-1]
            plain = surname.lower().replace("ё", "е")
            if plain == low or (not exact and low in surname_forms(plain, self.language)):
                return speaker
        return None

    def surname(self, word: str, case: str, gender: str | None, role: str | None) -> Speaker:
        """A bare surname, perhaps in an oblique case ("по словам Ильина"): the person met before, or the
        surname put back in the nominative where its case says how."""
        known = self.by_surname(word, exact=case == "nom")
        if known is not None:
            return known
        if case != "nom":
            masculine = nominative_surname(word, "m", case, self.language)
            feminine = nominative_surname(word, "f", case, self.language)
            if gender == "f" or (feminine != word and masculine == word):
                word, gender = feminine, "f"
            elif masculine != word:
                word, gender = masculine, "m"
        return self.person(None, word, role, gender)

    def note(self, speaker: Speaker, gender: str | None = None) -> None:
        self.salient.append((speaker, self.sentence))
        if gender in ("m", "f") and speaker.person and not speaker.unnamed:
            self.genders.setdefault(speaker.name, gender)

    def pronoun(self, gender: str) -> Speaker | None:
        """ "Он", "вона": the latest person of that gender mentioned within a few sentences."""
        if gender not in ("m", "f"):
            return None
        for speaker, sentence in reversed(self.salient):
            if self.sentence - sentence > _PRONOUN_REACH:
                break
            if not speaker.person or speaker.unnamed:
                continue
            known = self.genders.get(speaker.name)
            if known == gender:
                return speaker
        return None

    def title(self, word: str, complement: Sequence[str] = ()) -> Speaker | None:
        """ "Министр", "мер", "губернатора", "министр обороны": the latest person whose role has that title
        and the words that follow it ("министр обороны" is not the transport minister; "глава государства" is
        not the head of a district), but for words that point back ("глава ведомства", "мэр города")."""
        noun = lemma(word, ROLE_WORDS)
        if noun is None:
            return None
        wanted = [w.lower().replace("ё", "е") for w in complement if w.lower() not in _POINTING_BACK]

        def fits(role: str | None) -> bool:
            plain = (role or "").lower().replace("ё", "е")
            return _has_title(role, noun) and all(w in plain for w in wanted)

        for speaker, sentence in reversed(self.salient):
            if self.sentence - sentence > _TITLE_REACH:
                break
            if speaker.person and not speaker.unnamed and fits(speaker.role):
                return speaker
        for speaker in reversed(list(self.people.values())):
            if fits(speaker.role):
                return speaker
        return None

    # --- organisations --------------------------------------------------------------------------------------

    def org(self, name: str, heads: set[str], *, role: str | None = None) -> Speaker:
        for known in self.orgs:
            if known.speaker.name == name:
                return known.speaker
        speaker = Speaker(name, role, person=False)
        self.orgs.append(Org(speaker, frozenset(heads)))
        return speaker

    def body(self, head: str) -> Speaker | None:
        """ "В министерстве", "видання", "пресс-служба клуба": the latest organisation this noun can mean."""
        for org in reversed(self.orgs):
            if head in org.heads:
                return org.speaker
        if head in GENERIC_BODIES:
            for org in reversed(self.orgs):
                if org.heads & _GOVERNMENT:
                    return org.speaker
        if head in OUTLET_WORDS:
            for org in reversed(self.orgs):
                if org.heads & OUTLET_WORDS:
                    return org.speaker
        return None


def _has_title(role: str | None, noun: str) -> bool:
    if not role:
        return False
    words = {lemma(w.strip(",.«»"), ROLE_WORDS) for w in role.split()}
    if noun in words:
        return True
    # "прем'єр" for "прем'єр-міністр", "министр" for "министерка".
    return any(w is not None and (w.startswith(noun) or noun.startswith(w)) for w in words)


def _role_gender(role: str | None) -> str | None:
    if not role:
        return None
    return "f" if any(w.lower() in FEMININE_ROLES for w in role.split()) else None
