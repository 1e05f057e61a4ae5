"""Stance questions asked in Russian or Ukrainian: "Какова позиция Кремля по новым регионам?", "Что говорил
Песков о переговорах?", "Яка позиція Зеленського щодо перемир'я?".

The patterns mirror the English ones in `briefing.stance`: a position word and the actor after it, a verb of
saying or thinking with the actor beside it, "how does X regard Y". Russian and Ukrainian put the actor of
"the position of X" in the genitive, so the actor is given back in the nominative before it is matched:
the institutions `/stance` knows by a table of their genitives (Кремля -> Кремль), a person's name by the
statement rules' endings (Зеленського -> Зеленський, Дмитрия Пескова -> Дмитрий Песков). The topic stays as
asked; `briefing.topics` reads a Cyrillic topic by word beginnings.
"""

from __future__ import annotations

import re

from retrieval.statements import name_from_genitive

__all__ = ["parse_slavic_stance"]

_RELATION = {
    "ru": r"позици[яюи]|точк[аиу] зрения|мнение|отношение|взгляды?|лини[яюи]|реакци[яюи]|оценк[аиу]",
    "uk": r"позиці[яюї]|точк[аиу] зору|думк[аиу]|ставлення|погляди?|лін[іі][яюї]|реакці[яюї]|оцінк[аиу]",
}
_WHICH = {
    "ru": r"каков[аоы]?|какая|какое|какие|какую|какой|в чём|в чем|расскажи(?:те)? про|покажи(?:те)?",
    "uk": r"яка|яке|які|який|якою є|у чому|в чому|розкажи(?:ть)? про|покажи(?:ть)?",
}
_NOW = {
    "ru": r"сейчас|теперь|нынешняя|нынешнюю|официальная|официальную|текущая|текущую|последняя|последнюю",
    "uk": r"зараз|тепер|нинішня|нинішню|офіційна|офіційну|поточна|поточну|остання|останню",
}
_ABOUT = {
    "ru": r"по поводу|по вопросу|в отношении|в вопросе|относительно|касательно|насч[её]т|по|об|обо|о|про|на",
    "uk": r"з приводу|у питанні|в питанні|стосовно|відносно|щодо|про|по|на",
}
_SAY = {
    "ru": r"(?:говорил|сказал|заявлял|заявил|думал|писал|считал)(?:а|и)?|говорит|говорят|заявляет|заявляют|"
    r"думает|думают|считает|считают|пишет|пишут",
    "uk": r"казав|казала|казали|каже|кажуть|сказав|сказала|сказали|говорив|говорила|говорили|говорить|"
    r"кажуть|заявив|заявила|заявили|заявляв|заявляла|заявляли|заявляє|заявляють|думає|думають|вважає|"
    r"вважають|писав|писала|пише",
}
_VIEW = {
    "ru": r"относ(?:ится|ятся|ился|илась|ились)\s+к|смотр(?:ит|ят|ел|ела)\s+на|оценива(?:ет|ют)",
    "uk": r"ставит(?:ься|ся)\s+до|ставл(?:яться|яться)\s+до|став(?:ився|илася|илися)\s+до|"
    r"дивит(?:ься|ся)\s+на|дивл(?:яться)\s+на|оціню(?:є|ють)",
}
_WHAT = {"ru": "что", "uk": "що"}
_HOW = {"ru": "как", "uk": "як"}


def _patterns(lang: str) -> list[tuple[str, str]]:
    """(pattern, case of the actor) for one language."""
    about = rf"(?:\s+(?:{_ABOUT[lang]})\s+(?P<topic>.+))?"
    return [
        (
            rf"^(?:(?:{_WHICH[lang]})\s+)?(?:(?:{_NOW[lang]})\s+)?(?:{_RELATION[lang]})\s+(?:у\s+)?"
            rf"(?P<actor>.+?){about}$",
            "gen",
        ),
        (rf"^{_WHAT[lang]}\s+(?:(?:{_NOW[lang]})\s+)?(?:{_SAY[lang]})\s+(?P<actor>.+?){about}$", "nom"),
        (rf"^{_WHAT[lang]}\s+(?P<actor>.+?)\s+(?:{_SAY[lang]}){about}$", "nom"),
        (rf"^{_HOW[lang]}\s+(?P<actor>.+?)\s+(?:{_VIEW[lang]})\s+(?P<topic>.+)$", "nom"),
    ]


_QUESTIONS = {
    lang: [(re.compile(p, re.IGNORECASE), case) for p, case in _patterns(lang)] for lang in ("uk", "ru")
}
# The actors `/stance` knows by name, as the genitive gives them ("позиция Кремля"), back in the nominative.
_GENITIVES = {
    "кремля": "Кремль", "россии": "Россия", "росії": "Росія", "москвы": "Москва", "москви": "Москва",
    "украины": "Украина", "україни": "Україна", "киева": "Киев", "києва": "Київ", "вашингтона": "Вашингтон",
    "белого дома": "Белый дом", "білого дому": "Білий дім", "евросоюза": "Евросоюз", "євросоюзу": "Євросоюз",
    "брюсселя": "Брюссель",
}  # fmt: skip
# Pronouns and words for the text itself: "Что говорит статья о санкциях?" is not about a speaker.
_NOT_ACTORS = frozenset(
    """я ты вы мы он она оно они его её ее их вас нас вам нам тебя меня это эта этот эти статья статьи статье
    автор автора текст текста тексте документ документа новости новостях люди все кто бот бота источники
    ти ви ми він вона воно вони його її їх вас нас вам нам тебе мене це ця цей ці стаття статті автора
    тексту документі новини новинах всі хто джерела""".split()
)
_UKRAINIAN = re.compile(r"[іїєґ]", re.IGNORECASE)


def parse_slavic_stance(text: str) -> tuple[str, str | None] | None:
    """(actor in the nominative, topic as asked) of a Russian or Ukrainian stance question, else None.
    `text` is the question without its final punctuation, its spaces collapsed."""
    order = ("uk", "ru") if _UKRAINIAN.search(text) else ("ru", "uk")
    for lang in order:
        for pattern, case in _QUESTIONS[lang]:
            m = pattern.match(text)
            if m is None:
                continue
            actor = m.group("actor").strip(" ,")
            words = actor.lower().split()
            if not words or len(words) > 5 or words[0] in _NOT_ACTORS or actor.lower() in _NOT_ACTORS:
                continue
            topic = (m.groupdict().get("topic") or "").strip(" ,") or None
            return _nominative(actor, case, lang), topic
    return None


def _nominative(actor: str, case: str, lang: str) -> str:
    if case != "gen":
        return actor
    known = _GENITIVES.get(actor.lower())
    if known is not None:
        return known
    # A name: capitalised words (a title before it, "министра", is left as asked and matched as a role).
    if all(w[:1].isupper() for w in actor.split()):
        return name_from_genitive(actor, lang)
    return actor
