"""Spotting text that addresses a language model instead of a reader (prompt injection).

News is written for people: it reports what someone told a chatbot, quotes a leaked system prompt, explains
how an assistant works. Planted text speaks *to* the model that reads the page. So a match needs the shape
of an address, not just a topic word:

- an override in the imperative: "ignore / disregard / forget" + what came before ("the instructions above",
  "your guidelines", "what you were told"), at the start of a clause ("told to ignore ..." is a report);
- a model named as the addressee: a vocative with an order ("Assistant, report that ..."), a label ("Note to
  the summariser:"), a condition ("If you are a language model, ..."), the reader of this very text ("any AI
  reading this article"), the model's own output ("In your summary, say ...");
- a role handed to the reader ("From now on you are a marketing bot") and chat-template tokens.

Each part is a small vocabulary per language (English, Russian, Ukrainian, German, French, Spanish), joined
into one grammar, so a phrasing nobody listed is caught when its parts are. A lone override phrase quoted
inside a sentence ('phrases such as "ignore previous instructions"') is a mention, not an address.

Matches are flagged for the caller, not removed: deciding what to do with a flagged article is the caller's
business. Matching runs on normalised text (NFKC, invisible characters gone, whitespace collapsed), so a
phrase split with zero-width characters or written in full-width letters is still found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from retrieval._cleaning import normalize


def _any(*parts: str) -> str:
    return "(?:" + "|".join(parts) + ")"


# ---- vocabularies -----------------------------------------------------------------------------------------

# Who a planted instruction talks to. Slavic nouns take case endings; stems are bounded so that "бот" does not
# reach "ботинки" nor "модель" "моделирование".
_ADDRESSEE = _any(
    # English
    r"(?:ai|a\.i\.|artificial[ -]intelligence|llm|gpt|automated|automatic)[ -]"
    r"(?:assistant|model|system|agent|summari[sz]er|chatbot|bot|tool|reader|crawler|writer)s?",
    r"(?:assistant|model|summari[sz]er|chatbot|bot)s?|summari[sz]ation (?:tool|model|system|bot)s?",
    r"(?:(?:ai|large|small|generative|neural)[ -])?(?:(?:large|generative)[ -])?language models?",
    r"ais|ai|a\.i\.|llms?|gpts?|chatbots?|chat bots?|bots?|summari[sz]ers?",
    r"chatgpt|claude|gemini|copilot|grok|llama|mistral|deepseek",
    # Russian, Ukrainian
    r"ии|ші|ai|искусственн\w{0,3} интеллект\w{0,2}|штучн\w{0,3} інтелект\w{0,2}",
    r"ассистент\w{0,3}|асистент\w{0,3}|помощник\w{0,3}|помічник\w{0,3}",
    r"нейросет[ьиейюя]\w{0,2}|нейромереж\w{0,3}|(?:языков\w{1,3} |мовн\w{1,3} )?модел[ьиеюя]\w{0,2}",
    r"чат-?бот\w{0,3}|бот(?:а|у|ом|е|ы|ов|ам|ами|ах|и|ів)?|суммаризатор\w{0,3}|самаризатор\w{0,3}",
    # German
    r"ki|k\.i\.|künstliche intelligenz|(?:ki-)?assistent(?:in|en)?|(?:ki-)?sprachmodell(?:e|s)?",
    r"ki-modell(?:e|s)?",
    r"modell(?:e|s)?|chatbots?|zusammenfasser(?:in)?|ki-system(?:e|s)?",
    # French, Spanish
    r"ia|i\.a\.|intelligence artificielle|assistant(?:e)?(?: ia)?|modèle(?: de langage| d['’]ia)?|résumeur",
    r"robot conversationnel|agent ia|inteligencia artificial|asistente(?: de ia)?",
    r"modelo(?: de lenguaje| de ia)?|resumidor|agente de ia",
)
# "Dear AI", "Hey assistant", "Liebe KI", "Уважаемый ИИ".
_GREETING = _any(
    r"dear|hey|hi|hello|attention|listen|ok|okay|yo|psst|important",
    r"уважаем\w{0,3}|дорог\w{0,3}|привет|эй|внимание|шановн\w{0,3}|любий|люба|увага",
    r"liebe[rs]?|hallo|achtung|cher|chère|bonjour|salut|querid[oa]|hola|estimad[oa]|atención",
)
# "Note to the summariser", "Примечание для нейросети", "Hinweis an die KI".
_LABEL = _any(
    r"(?:(?:a|an|one|this|important|urgent|special|quick|final|new|updated|revised|additional|secret|hidden)\s+)?"
    r"(?:note|notes|message|memo|instructions?|directive|reminder|request|notice|warning|p\.?\s?s\.?|hint|tip|"
    r"update|order|orders|task)\s+(?:to|for)\s+(?:the\s+|any\s+|all\s+|every\s+|each\s+|an?\s+|you,?\s+the\s+)?",
    r"(?:примечание|заметка|записка|сообщение|обращение|указание|указания|инструкция|инструкции|просьба|"
    r"памятка|примітка|нотатка|повідомлення|звернення|вказівка|вказівки|інструкція|інструкції|прохання)"
    r"\s+(?:для|к|до)\s+(?:всех\s+|любой\s+|любого\s+|всіх\s+|будь-якої\s+|будь-якого\s+)?",
    r"(?:hinweis|notiz|nachricht|anweisung|anweisungen|mitteilung|botschaft|anmerkung|aufgabe)\s+"
    r"(?:an|für)\s+(?:die\s+|den\s+|das\s+|alle\s+|jede\s+|jeden\s+|jedes\s+|eine\s+|einen\s+)?",
    r"(?:note|message|instruction|instructions|consigne|remarque|rappel|avis)\s+(?:à|pour|aux?)\s+"
    r"(?:l['’]\s*|la\s+|le\s+|les\s+|tout\s+|toute\s+|une?\s+)?",
    r"(?:nota|mensaje|instrucción|instrucciones|aviso|recordatorio)\s+(?:para|a|al)\s+"
    r"(?:el\s+|la\s+|los\s+|las\s+|cualquier\s+|una?\s+)?",
)
# Imperatives that set earlier orders aside.
_OVERRIDE = _any(
    r"ignore|disregard|forget|override|bypass|skip|drop|abandon|discard|neglect|set aside",
    r"pay no attention to",
    r"do not (?:follow|obey|heed)|don['’]t (?:follow|obey|heed)|stop following|no longer follow",
    r"(?:про)?игнорир(?:уй|уйте)|забудь(?:те)?|отбрось(?:те)?|отмени(?:те)?|пренебреги(?:те)?",
    r"не (?:обращай(?:те)?|звертай(?:те)?) внимани[яе] на|не (?:выполняй|следуй|слушай|учитывай)(?:те)?",
    r"(?:про)?ігнор(?:уй|уйте)|не зважай(?:те)? на|відкинь(?:те)?|скасуй(?:те)?",
    r"не (?:виконуй|дотримуйся)(?:те)?",
    r"ignorier(?:e|t|en sie)?|missachte(?:t|n sie)?|vergiss|vergesst|vergessen sie|übergehe|verwirf",
    r"ignore[zs]?|oublie[zs]?|ne tien[sn]? pas compte d(?:e|es|u)|fais abstraction d(?:e|es|u)",
    r"ignora|ignore(?:n)?|olvida|olvide(?:n)?|haz caso omiso (?:a|de)|no hagas caso (?:a|de)|descarta",
)
# What came before, as pre- and post-modifiers of the orders: "the previous instructions", "the rules above".
_PRIOR = _any(
    r"previous|prior|above|earlier|preceding|foregoing|original|initial|old|former|system|existing|"
    r"above-mentioned|aforementioned|hidden|developer|safety",
    r"предыдущ\w{1,3}|прежн\w{1,3}|вышеизложенн\w{1,3}|вышеуказанн\w{1,3}|вышеприведённ\w{1,3}|"
    r"вышеприведенн\w{1,3}|изначальн\w{1,3}|исходн\w{1,3}|первоначальн\w{1,3}|системн\w{1,3}|"
    r"(?:ранее\s+)?(?:данн|полученн|заданн)\w{1,3}(?:\s+ранее)?|свои|твои|ваши",
    r"попередн\w{1,3}|вищенаведен\w{1,3}|початков\w{1,3}|системн\w{1,3}|свої|твої|ваші",
    r"vorherig\w{0,2}|vorig\w{0,2}|bisherig\w{0,2}|obig\w{0,2}|früher\w{0,2}|vorangegangen\w{0,2}|"
    r"vorangehend\w{0,2}|ursprünglich\w{0,2}|anfänglich\w{0,2}|zuvor gegeben\w{0,2}|erhalten\w{0,2}|"
    r"deine|ihre|eure",
    r"précédent\w{0,2}|antérieur\w{0,2}|initial\w{0,2}|ci-dessus|tes|vos|anteriores|previas|tus|sus|originales",
)
_POST_PRIOR = _any(
    r"above|before(?: this| that)?|earlier|so far|up to (?:now|here|this point)|"
    r"you (?:were|have been|'ve been|’ve been) given|you received",
    r"given (?:to you )?(?:above|before|earlier|previously|so far)|"
    r"in (?:your|the) system prompt|from your (?:developers?|creators?|operators?)",
    r"выше|ранее|раньше|вище|раніше|oben|zuvor|davor|ci-dessus|précédentes|plus haut|anteriores|previas|"
    r"de arriba|originales",
)
# Orders a model is given. The strong ones name a model's instructions; the weak ones ("rules", "text")
# also name ordinary things, so they count with "all"/"your" before them or an order after them.
_ORDERS_STRONG = _any(
    r"instructions?|prompts?|system prompts?|directives?|programming|guidelines|guardrails|commands?",
    r"инструкци\w{0,3}|указани\w{0,3}|команд\w{0,3}|промпт\w{0,3}|установк\w{0,3}|директив\w{0,3}|"
    r"вказівк\w{0,3}|інструкці\w{0,3}|настанов\w{0,3}",
    r"anweisung(?:en)?|instruktion(?:en)?|befehle?|vorgaben?|richtlinien?|prompts?",
    r"instructions?|consignes?|directives?|instrucciones|indicaciones|directrices|consignas",
)
_ORDERS_WEAK = _any(
    r"rules|orders|guidance|context|content|text|messages?|input|training|restrictions|constraints",
    r"правил\w{0,3}|распоряжени\w{0,3}|розпоряджен\w{0,3}",
    r"regeln|anordnungen|règles|ordres|reglas|órdenes",
)
_YOUR = r"(?:your|твои|свои|ваши|твої|свої|ваші|deine|ihre|eure|tes|vos|tus|sus)"
_ALL = r"(?:all|any|every|все|всі|усі|alle|sämtliche|toutes?|todas?)"
# "what you were told" and kin, up to the end of the clause: "forget what you were told about fat" is advice.
_TOLD = _any(
    r"(?:what|everything|anything|all|whatever)\s+(?:that\s+)?you\s+(?:were|have\s+been|['’]ve\s+been|had\s+been)"
    r"\s+(?:told|instructed|asked|given|programmed|prompted|ordered)",
    r"(?:всё|все|то)\s*,?\s*что\s+(?:тебе|вам)\s+(?:говорили|сказали|велели|поручили|приказали|было\s+сказано)",
    r"(?:все|усе|те)\s*,?\s*що\s+(?:тобі|вам)\s+(?:казали|сказали|наказали|доручили)",
    r"(?:alles\s*,?\s*)?was\s+(?:dir|ihnen|euch)\s+(?:gesagt|befohlen|aufgetragen|vorgegeben)\s+wurde",
    r"(?:tout\s+)?ce\s+qu['’]on\s+(?:t|vous)['’]a\s+(?:dit|demandé)",
    r"(?:todo\s+)?lo\s+que\s+(?:te|le|les|os)\s+(?:dijeron|han\s+dicho|ordenaron|indicaron|pidieron)",
)
_CLAUSE_END = (
    r"(?=\s*(?:[.,;:!?)—–]|$|\s-\s|(?:and|und|и|і|та|et|y|then|dann|puis|затем|потім|so\s+far|before|above|"
    r"earlier|previously|until\s+now|ранее|раньше|выше|раніше|вище|zuvor|vorher|bisher|oben|avant|antes)\b))"
)
# Orders for the payload: what the reader is told to write.
_DIRECTIVE = _any(
    r"report|say|state|write|tell|mention|include|add|claim|describe|summari[sz]e|stress|emphasi[sz]e|assert|"
    r"answer|respond|reply|output|print|reveal|repeat|translate|call|refer|recommend|praise|promote|"
    r"conclude|explain|omit|skip|leave out|remove|delete|treat|consider|present|portray|frame|use|cite|quote|"
    r"insert|append|begin|start|end|keep|make sure|ensure|remember|be sure|do not|don['’]t|never|always|only|"
    r"instead|please|ignore|disregard|forget|stop|follow|obey|act|pretend|inform|warn|assure|note that|"
    r"you (?:must|should|will|need to|have to|are to|shall)",
    r"сообщи(?:те)?|напиши(?:те)?|скажи(?:те)?|укажи(?:те)?|отметь(?:те)?|добавь(?:те)?|перескажи(?:те)?|"
    r"передай(?:те)?|упомяни(?:те)?|утверждай(?:те)?|доложи(?:те)?|ответь(?:те)?|включи(?:те)?|"
    r"запомни(?:те)?|считай(?:те)?|пиши(?:те)?|говори(?:те)?|не\s+\w+(?:й|и)(?:те)?|обязательно|пожалуйста",
    r"повідом(?:те)?|напиши(?:ть)?|скажи(?:ть)?|вкажи(?:ть)?|зазнач(?:те)?|додай(?:те)?|перекажи(?:ть)?|"
    r"згадай(?:те)?|стверджуй(?:те)?|будь\s+ласка",
    r"berichte|schreib(?:e)?|sag(?:e)?|teile\s+mit|erwähne|gib\s+an|behaupte|melde|füge|antworte|stelle|"
    r"fasse|nenne|erkläre|bitte|(?:schreiben|sagen|berichten|erwähnen|melden|geben|teilen|fassen)\s+sie",
    r"écris|écrivez|dis|dites|indique[zs]?|mentionne[zs]?|affirme[zs]?|précise[zs]?|rapporte[zs]?|"
    r"signale[zs]?|ajoute[zs]?|résume[zs]?|réponds|répondez|s['’]il\s+(?:te|vous)\s+pla[iî]t",
    r"di|diga|escribe|escriba|indica|indique|menciona|mencione|afirma|informa|añade|reporta|señala|resume|"
    r"responde|por\s+favor",
)
# Where a new clause starts: the imperative stands there ("told to ignore ..." is a report, not an order).
# Checked in Python on each candidate (see `_at_clause_start`): as a regex lookbehind it cost more than the
# rest of the grammar together.
_CLAUSE_PUNCTUATION = frozenset(".!?…:;,([«»\"“”'‘—–\n")
_CONNECTORS = frozenset(
    "please and then now just simply kindly so also bitte und dann jetzt nun и а затем теперь пожалуйста "
    "просто і та й потім тепер et puis maintenant y luego ahora".split()
)
# This very text: "this article", "the text above", "этой статьи", "dieses Artikels".
_THIS_TEXT = _any(
    r"(?:this|these|the\s+(?:above|following))\s+(?:text|article|page|document|story|message|content|passage|"
    r"post|e-?mail|report|site|website|paragraph|material|section|piece)s?",
    r"(?:этот|эту|этой|этого|данн\w{1,3}|настоящ\w{1,3}|цей|цю|цього|цієї|даної|даного)\s+"
    r"(?:текст\w{0,2}|стать\w{0,2}|статт\w{0,2}|материал\w{0,2}|страниц\w{0,2}|сторінк\w{0,2}|"
    r"публикаци\w{0,2}|публікаці\w{0,2}|новост\w{0,2}|новин\w{0,2}|документ\w{0,2}|сообщени\w{0,2}|"
    r"повідомлен\w{0,2})",
    r"(?:dieses|dieser|diesen|diese|den\s+obigen)\s+(?:artikels?|textes|text|beitrags?|dokuments?|seite|"
    r"meldung|nachricht)",
    r"(?:cet|cette|ce)\s+(?:article|texte|page|document|message)",
    r"(?:este|esta)\s+(?:artículo|texto|página|documento|mensaje|nota)",
)
_READS = _any(
    r"reading|summari[sz]ing|processing|parsing|scanning|analy[sz]ing|ingesting|crawling|indexing|rewriting|"
    r"paraphrasing|handling|(?:that|which|who)\s+(?:is\s+)?(?:reads?|summari[sz]es|processes|parses|scans|"
    r"analy[sz]es|ingests|rewrites|reading|summari[sz]ing|processing)",
    r"(?:читающ|пересказывающ|обрабатывающ|анализирующ|резюмирующ|читає|читаюч|обробляюч|переказу)\w{0,4}",
    r"(?:der|die|das)\s+(?:diesen|dieses)\s+\w+\s+(?:liest|zusammenfasst|verarbeitet)",
    r"(?:qui\s+(?:lit|résume|traite)|que\s+(?:lee|resume|procesa)|leyendo|resumiendo|procesando)",
)
_SUMMARISING = _any(
    r"(?:when|while|if|before|after)\s+(?:you\s+(?:are\s+)?)?(?:summari[sz]|paraphras|rewrit|process|pars|"
    r"analy[sz]|ingest)\w*",
    r"(?:при|во\s+время|під\s+час)\s+(?:пересказ|резюмировани|суммаризаци|обработк|анализ|переказ|обробк|"
    r"підсумовуванн)\w{0,3}",
    r"(?:beim|bei\s+der)\s+(?:zusammenfass\w*|wiedergabe|verarbeitung|auswertung)",
    r"(?:en\s+résumant|lorsque\s+(?:tu\s+résumes|vous\s+résumez)|al\s+resumir|cuando\s+resumas)",
)
_OUTPUT = _any(
    r"in\s+your\s+(?:summary|summaries|answer|response|reply|output|briefing|recap|digest|overview|"
    r"rewrite|translation)",
    r"в\s+(?:своём|своем|твоём|твоем|вашем|своей|твоей|вашей|свому|своєму|твоєму|вашому|своїй|твоїй|вашій)\s+"
    r"(?:резюме|пересказе|ответе|кратком\s+изложении|обзоре|сводке|переказі|відповіді|підсумку|огляді)",
    r"у\s+(?:своєму|твоєму|вашому|своїй|твоїй|вашій|підсумку|переказі)",
    r"в\s+(?:пересказе|резюме|ответе)",
    r"in\s+(?:deiner|ihrer|eurer)\s+(?:zusammenfassung|antwort|ausgabe|wiedergabe|übersetzung)",
    r"dans\s+(?:ton|votre|ta)\s+(?:résumé|réponse|synthèse|compte\s+rendu)",
    r"en\s+(?:tu|su)\s+(?:resumen|respuesta)",
)
_NAME_FOLLOWERS = r"reading|summari[sz]ing|processing|parsing|that|who|which|tasked|here"
_END_OF_NAME = rf"(?=\s*(?:[,.:;!?)\]—–]|$)|\s+(?:{_NAME_FOLLOWERS})\b)"

# ---- the grammar ------------------------------------------------------------------------------------------

_ARTICLE = r"(?:the|these|those|die|der|den|les|las|los|des|ces|esas?|estas?)"
_AND = r"(?:and|und|и|і|та|et|y)"
_OVERRIDE_OBJECT = _any(
    # the orders with a marker of "earlier": "the previous instructions", "all prior rules", "your prompt"
    rf"(?:{_ALL}\s+(?:of\s+)?)?(?:(?:{_ARTICLE}|{_YOUR})\s+)?(?:{_PRIOR}\s+){{1,2}}{_ORDERS_STRONG}",
    rf"(?:{_ALL}\s+(?:of\s+)?)?(?:(?:{_ARTICLE}|{_YOUR})\s+)?(?:{_ORDERS_STRONG}|{_ORDERS_WEAK})\s+{_POST_PRIOR}",
    rf"{_YOUR}\s+(?:{_PRIOR}\s+)?(?:{_ORDERS_STRONG}|{_ORDERS_WEAK})",
    rf"{_ALL}\s+(?:of\s+)?(?:(?:{_ARTICLE}|{_YOUR})\s+)?(?:{_PRIOR}\s+)?{_ORDERS_STRONG}",
    rf"{_ALL}\s+(?:of\s+)?(?:(?:{_ARTICLE}|{_YOUR})\s+)?{_PRIOR}\s+{_ORDERS_WEAK}",
    # bare orders, then the payload: "ignore the instructions and say ..."
    rf"(?:{_ARTICLE}\s+)?{_ORDERS_STRONG}\s+{_AND}\s+(?:{_DIRECTIVE})\b",
    rf"(?:(?:{_ALL}\s+(?:of\s+)?)?the\s+above|(?:everything|anything|all)\s+(?:above|before\s+this|so\s+far)"
    rf"|(?:все|всё|усе)\s+(?:написанное\s+)?выше|alles\s+(?:obige|oben\s+stehende)|tout\s+ce\s+qui\s+précède"
    rf"|todo\s+lo\s+anterior){_CLAUSE_END}",
    rf"(?:{_TOLD}){_CLAUSE_END}",
)
# An inverted report reads like a vocative: "Chatbots, say critics, spread errors." A reporting verb counts as
# an order only when a clause, not a speaker, follows it.
_REPORTING = (
    r"(?:say|says|warn|warns|claim|claims|note|notes|write|writes|add|adds|argue|argues|insist|insists)"
)
_VOCATIVE_ORDER = _any(
    rf"(?!{_REPORTING}\b\s+(?:the\s+|some\s+|many\s+|most\s+)?[\w'’-]+(?:\s+[\w'’-]+)?\s*,){_DIRECTIVE}",
    _OVERRIDE,
)
_SUBJECT_YOU = (
    r"(?:you(?:['’]re|\s+are)|du|sie|ты|вы|ти|ви|tu\s+es|vous\s+[eê]tes|eres|es\s+usted)"
    r"(?:\s+(?:[—–-]\s*)?(?:an?|the|one\s+of\s+the|une?|una?|eine?|ein))?"
)


@dataclass(frozen=True, slots=True)
class _Rule:
    """One shape of an address to a model.

    `heads` are the words (lower-case prefixes) a match starts with; `None` scans the whole text. With
    `around`, the heads are model names inside the match instead, and the rule is searched in a window
    around each. `clause_start`: the match must open a clause (an imperative, a vocative, a label).
    """

    pattern: str
    heads: tuple[str, ...] | None
    around: bool = False
    clause_start: bool = False


# fmt: off
_ADDRESSEE_HEADS = (
    "ai", "a.i", "artificial", "llm", "gpt", "automat", "assistant", "model", "summari", "chatbot",
    "chatgpt", "chat bot", "bot", "large", "small", "generative", "neural", "language", "claude", "gemini",
    "copilot", "grok", "llama", "mistral", "deepseek", "ии", "ші", "искусствен", "штучн", "ассистент",
    "асистент", "помощник", "помічник", "нейросет", "нейромереж", "языков", "мовн", "модел", "чат", "бот",
    "суммаризатор", "самаризатор", "ki", "k.i", "künstliche", "assistent", "sprachmodell", "modell",
    "zusammenfasser", "ia", "i.a", "intelligence", "modèle", "résumeur", "robot", "agent", "inteligencia",
    "asistente", "modelo", "resumidor", "agente",
)
_OVERRIDE_HEADS = (
    "you", "ignor", "disregard", "forget", "overrid", "bypass", "skip", "drop", "abandon", "discard",
    "neglect", "set aside", "pay no", "do not", "don", "stop", "no longer", "no hagas", "игнор", "проигнор",
    "забудь", "отбрось", "отмени", "пренебреги", "не обращ", "не выполн", "не след", "не слуш", "не учит",
    "ігнор", "проігнор", "не зважа", "не звертай", "не викон", "не дотрим", "відкинь", "скасуй", "vergiss",
    "vergesst", "vergessen", "missacht", "übergehe", "verwirf", "oubli", "ne tien", "fais abstraction",
    "olvid", "haz caso", "descarta",
)
_YOU_HEADS = ("from now", "henceforth", "starting now", "you")
# fmt: on

_RULES: dict[str, _Rule] = {
    "override": _Rule(
        rf"(?:you\s+(?:must|should|will|need\s+to|have\s+to|are\s+to|shall)\s+(?:now\s+)?)?"
        rf"(?:{_OVERRIDE})\s*,?\s+(?:[\w'’-]+\s+){{0,2}}?{_OVERRIDE_OBJECT}",
        _OVERRIDE_HEADS,
        clause_start=True,
    ),
    # German puts the negation last: "Beachte die vorherigen Anweisungen nicht".
    "override-last": _Rule(
        rf"(?:beachte|befolge|beachten\s+sie|befolgen\s+sie)\s+(?:die\s+|alle\s+|deine\s+)?"
        rf"(?:{_PRIOR}\s+)?{_ORDERS_STRONG}\s+(?:{_POST_PRIOR}\s+)?nicht",
        ("beachte", "befolge"),
        clause_start=True,
    ),
    "vocative": _Rule(
        rf"(?:(?:{_GREETING})\s*,?\s+)?(?:(?:the|dear|my|our)\s+)?(?:{_ADDRESSEE})\s*[,:!—–]\s*"
        rf"(?:{_VOCATIVE_ORDER})\b",
        _ADDRESSEE_HEADS,
        around=True,
        clause_start=True,
    ),
    "greeting": _Rule(
        rf"(?:{_GREETING})\s*,?\s+(?:the\s+|my\s+)?(?:{_ADDRESSEE})\s*[,:!—–]",
        _ADDRESSEE_HEADS,
        around=True,
        clause_start=True,
    ),
    "label": _Rule(
        rf"(?:{_LABEL})(?:{_ADDRESSEE}){_END_OF_NAME}", _ADDRESSEE_HEADS, around=True, clause_start=True
    ),
    "to-label": _Rule(
        rf"(?:to|an|для|к|до|à|a|para)\s+(?:the|any|all|every|each|die|den|das|alle|l['’]|la|le|el|los|las|"
        rf"всех|любой)?\s*(?:{_ADDRESSEE})(?:\s+(?:{_READS})\s+(?:{_THIS_TEXT}|this))?\s*:",
        _ADDRESSEE_HEADS,
        around=True,
        clause_start=True,
    ),
    "if-you-are": _Rule(
        rf"(?:if|wenn|falls|если|якщо|si)\s+{_SUBJECT_YOU}\s+(?:{_ADDRESSEE})"
        r"(?:\s+(?:bist|sind|являешься|являетесь|є))?"
        r"(?=\s*(?:[,.:;!?)\]—–]|$)|\s+(?:reading|summari[sz]ing|processing|parsing|and|or|who|that|tasked|"
        r"asked|being|trained|like|и|і|та|und|et|y)\b)",
        ("if", "wenn", "falls", "если", "якщо", "si"),
    ),
    "reading-this": _Rule(
        rf"(?:{_ADDRESSEE})\s*,?\s+(?:{_READS})\s+(?:{_THIS_TEXT}|this(?=\s*[,.:;!?)—–]))", _ADDRESSEE_HEADS
    ),
    "summarising-this": _Rule(
        rf"(?:{_SUMMARISING})\s+{_THIS_TEXT}",
        (
            "when",
            "while",
            "if",
            "before",
            "after",
            "при",
            "во время",
            "під час",
            "beim",
            "bei der",
            "en résumant",
            "lorsque",
            "al resumir",
            "cuando",
        ),
        clause_start=True,
    ),
    "your-output": _Rule(
        rf"(?:{_OUTPUT})(?:\s+(?:of|about|on)\s+{_THIS_TEXT})?\s*,?\s*(?:{_DIRECTIVE})\b",
        (
            "in your",
            "в сво",
            "в тво",
            "в ваш",
            "в пересказе",
            "в резюме",
            "в ответе",
            "у сво",
            "у тво",
            "у ваш",
            "у підсумку",
            "у переказі",
            "in deiner",
            "in ihrer",
            "in eurer",
            "dans ton",
            "dans votre",
            "dans ta",
            "en tu",
            "en su",
        ),
        clause_start=True,
    ),
    "tell-the-user": _Rule(
        r"(?:tell|inform|assure|remind|warn|convince)\s+the\s+(?:user|reader)s?\s+that\b",
        ("tell", "inform", "assure", "remind", "warn", "convince"),
        clause_start=True,
    ),
    "hide-from-user": _Rule(
        r"do\s+not\s+(?:tell|inform|mention\s+(?:this\s+)?to|reveal\s+(?:this\s+)?to|show)\s+the\s+user\b",
        ("do not",),
    ),
    "reveal-prompt": _Rule(
        r"(?:reveal|print|output|repeat|show|leak|disclose)\s+(?:me\s+)?(?:your|the)\s+"
        r"(?:system\s+prompt|(?:hidden|initial|original|secret)\s+(?:instructions|prompt)|instructions\s+above)",
        ("reveal", "print", "output", "repeat", "show", "leak", "disclose"),
        clause_start=True,
    ),
    "new-orders": _Rule(
        r"your\s+(?:new|real|actual|true|updated|only|next)\s+(?:instructions?|task|job|goal|orders|objective|"
        r"mission|role|directive)s?\s*(?:is|are|:)",
        ("your",),
    ),
    "role": _Rule(
        rf"(?:(?:from\s+now\s+on|henceforth|starting\s+now),?\s+you\s+(?:are|will\s+be|shall\s+be|act\s+as)"
        rf"|you\s+are\s+now)\s+(?:an?\s+|the\s+|my\s+)?(?:[\w-]+\s+){{0,3}}?(?:{_ADDRESSEE}|persona|character)\b",
        _YOU_HEADS,
    ),
    "role-who": _Rule(
        r"(?:from\s+now\s+on,?\s+you\s+are|you\s+are\s+now)\s+(?:an?|the)\s+(?:[\w-]+\s+){1,3}?"
        r"(?:who|that|which)\s+(?:only\s+|always\s+)?(?:answers|responds|replies|speaks|writes|talks|says)\b",
        _YOU_HEADS,
    ),
    "role-mode": _Rule(
        r"you\s+are\s+(?:now\s+)?(?:in\s+)?(?:dan|(?:developer|god|jailbreak|admin|unrestricted|unfiltered|dan)"
        r"\s+mode)\b|you\s+are\s+(?:now\s+)?no\s+longer\s+(?:an?\s+ai|bound|restricted|limited|required\s+to\s+"
        r"follow)|you\s+are\s+now\s+free\s+(?:of|from)\b",
        _YOU_HEADS,
    ),
    "from-now-on": _Rule(
        r"(?:from\s+now\s+on|henceforth),?\s+you\s+(?:will|must|shall|should)\s+(?:only\s+|always\s+|never\s+)?"
        r"(?:respond|reply|answer|act|pretend|ignore|obey|follow|speak|output|refer\s+to|call)\b",
        _YOU_HEADS,
    ),
    "role-other": _Rule(
        r"(?:(?:теперь|отныне|с\s+этого\s+момента|відтепер|тепер)\s+ты|(?:ab\s+jetzt|von\s+nun\s+an|ab\s+sofort)"
        r"\s+bist\s+du|(?:désormais|à\s+partir\s+de\s+maintenant),?\s+tu\s+es|(?:a\s+partir\s+de\s+ahora|"
        rf"desde\s+ahora),?\s+eres)\s+(?:[—–-]\s*)?(?:[\w-]+\s+){{0,3}}?(?:{_ADDRESSEE})\b",
        (
            "теперь",
            "отныне",
            "с этого",
            "відтепер",
            "тепер",
            "ab jetzt",
            "ab sofort",
            "von nun",
            "désormais",
            "à partir",
            "a partir",
            "desde ahora",
        ),
    ),
    "template": _Rule(
        r"<\|im_start\|>|<\|im_end\|>|<\|system\|>|<\|user\|>|<\|assistant\|>|\[/?inst\]|<<sys>>|"
        r"<\|begin_of_text\|>|<\|start_header_id\|>|^\s*(?:system|assistant|###\s*instruction)\s*:|"
        r"[\[{(<]\s*(?:system|sys|admin|developer|assistant|instructions?)\s*[\]})>]",
        None,
    ),
    # An addressee named by what it does to this text: "whatever is summarising this".
    "doing-this": _Rule(
        r"(?:whoever|whatever|anyone|anything|everyone|any\s+(?:system|program|software|tool|service))\s+"
        r"(?:that\s+|who\s+|which\s+)?(?:is\s+)?(?:summari[sz]|process|pars|ingest|analy[sz]|index|scrap|crawl)"
        rf"\w*\s+(?:{_THIS_TEXT}|this(?=\s*[,.:;!?)—–]))",
        ("whoever", "whatever", "anyone", "anything", "everyone", "any"),
    ),
}
# Text is lower-cased before matching: case-insensitive matching took three times as long.
_COMPILED = {name: re.compile(rule.pattern, re.MULTILINE) for name, rule in _RULES.items()}
# Scanning the whole text with every rule cost about 1 s a megabyte. One scan finds the words rules start
# with (or, for rules that start before a model's name, that name); only there are the rules tried.
_BY_HEAD: dict[str, list[str]] = {}
for _name, _rule in _RULES.items():
    for _head in _rule.heads or ():
        _BY_HEAD.setdefault(_head, []).append(_name)
_HEAD = re.compile(r"\b(?:" + "|".join(re.escape(h) for h in sorted(_BY_HEAD, key=len, reverse=True)) + ")")
_LONGEST_HEAD = max(map(len, _BY_HEAD))
_NAMED = re.compile(rf"(?:{_ADDRESSEE})\b")
_BEFORE, _AFTER = 120, 300  # the window around a model's name
_SENTENCE_BREAK = re.compile(r"[.!?\n]")
_SPACE = re.compile(r"[^\S\n]+")
_OPEN_QUOTE = "\"“‘'«„"
_LAST_WORD = re.compile(r"(\w+)\W*$")
# The quote closes right after the phrase; group 1: followed by who said, typed or wrote it.
_CLOSING = re.compile(
    r"\s*[.,!?]?\s*[\"”’'»“](\s+(?:the\s+|a\s+|an\s+|one\s+)?[\w'’-]+(?:\s+[\w'’-]+)?\s+(?:said|says|typed|wrote|"
    r"writes|asked|asks|told|entered|instructed|prompted|read|reads|posted|added|explained|recalled))?"
)


def _at_clause_start(text: str, pos: int) -> bool:
    before = text[max(0, pos - 40) : pos].rstrip(" \t")
    if not before or before[-1] in _CLAUSE_PUNCTUATION or before.endswith((" -", "\n-")):
        return True
    word = _LAST_WORD.search(before)
    return word is not None and word.end(1) == len(before) and word.group(1).lower() in _CONNECTORS


def _is_mention(text: str, match: re.Match[str]) -> bool:
    """A lone override phrase quoted inside a sentence ('phrases such as "ignore previous instructions"
    can ...') names the attack; it does not make one."""
    before = text[max(0, match.start() - 300) : match.start()].rstrip()
    if not before or before[-1] not in _OPEN_QUOTE:
        return False
    closes = _CLOSING.match(text, match.end(), match.end() + 80)
    if closes is None:
        return False
    lead = before[:-1].rstrip()
    # A quote that opens the sentence is the speech itself, unless someone is named as having said it.
    return bool(lead and lead[-1] not in ".!?:\n") or bool(closes.group(1))


def _accept(text: str, name: str, match: re.Match[str]) -> bool:
    if _RULES[name].clause_start and not _at_clause_start(text, match.start()):
        return False
    return not (name == "override" and _is_mention(text, match))


def _matches(text: str, *, exhaustive: bool = False) -> list[tuple[int, str, re.Match[str]]]:
    """(start, rule, match) of every address to a model in lower-cased text. `exhaustive` runs every rule over
    the whole text, as a check on the head index (tests compare the two)."""
    found: dict[tuple[int, str], re.Match[str]] = {}

    def search(name: str, lo: int, hi: int) -> None:
        pos = lo
        while (match := _COMPILED[name].search(text, pos, hi)) is not None:
            if _accept(text, name, match):
                found.setdefault((match.start(), name), match)
            pos = match.start() + 1

    if exhaustive:
        for name in _RULES:
            search(name, 0, len(text))
    else:
        for name, rule in _RULES.items():
            if rule.heads is None:
                search(name, 0, len(text))
        for head in _HEAD.finditer(text):
            start = head.start()
            word = text[start : start + _LONGEST_HEAD]
            names = {n for k in range(1, len(word) + 1) for n in _BY_HEAD.get(word[:k], ())}
            # "kids" and "aid" start like a model's name; only a name gets a window.
            named = _NAMED.match(text, start) is not None
            for name in names:
                if not _RULES[name].around:
                    match = _COMPILED[name].match(text, start)
                    if match is not None and _accept(text, name, match):
                        found.setdefault((start, name), match)
                    continue
                if not named:
                    continue
                # The window ends at a sentence break, so its end never passes for the end of the text.
                brk = _SENTENCE_BREAK.search(text, head.end() + _AFTER)
                search(name, max(0, start - _BEFORE), brk.start() if brk else len(text))
    return [(start, name, match) for (start, name), match in sorted(found.items(), key=lambda kv: kv[0])]


_ORDER_FIRST = re.compile(
    r"\s*(?:(?:also|and|then|now|finally|additionally|moreover|besides|и|также|а\s+также|і|також|und|auch|"
    rf"et|aussi|y|también)\s*,?\s+)*(?:{_DIRECTIVE}|{_OVERRIDE})\b"
)


def opens_with_an_order(text: str) -> bool:
    """Whether the text starts with an order to whoever writes the summary ("Report that ...", "Напиши ...");
    only read after an address, whose payload it may carry on."""
    return _ORDER_FIRST.match(flatten(text)) is not None


def flatten(text: str) -> str:
    """The form rules read: normalised, lower-cased, runs of spaces as one (line breaks kept)."""
    return _SPACE.sub(" ", normalize(text)).lower()


def find(*texts: str | None) -> list[str]:
    """Instruction-like phrases found in the texts, lower-cased, in order of first appearance."""
    found: list[str] = []
    for text in texts:
        if not text:
            continue
        for _start, _name, match in _matches(flatten(text)):
            phrase = " ".join(match.group(0).split()).strip(" ,;:-–—\"'“”‘’«»([")
            if phrase and phrase not in found:
                found.append(phrase)
    return found
