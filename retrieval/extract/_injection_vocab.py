"""The words of an address to a model, in six languages, for the grammar in `retrieval.extract._injection`.

Each name is one part of speech of that grammar: who is addressed (ADDRESSEE), how an order opens (OVERRIDE,
DIRECTIVE), what it sets aside (PRIOR, ORDERS_STRONG, ...), and the words each rule starts with (the HEADS
tuples the matcher indexes). Slavic stems take bounded endings so that "бот" does not reach "ботинки".
"""

from __future__ import annotations


def any_of(*parts: str) -> str:
    return "(?:" + "|".join(parts) + ")"


# ---- vocabularies -----------------------------------------------------------------------------------------

# Who a planted instruction talks to. Slavic nouns take case endings; stems are bounded so that "бот" does not
# reach "ботинки" nor "модель" "моделирование".
ADDRESSEE = any_of(
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
    r"нейросет[ьиейюя]\w{0,2}|нейромереж\w{0,3}|(?:языков\w{1,3} |мовн\w{1,3} )?модел[ьиеюяі]\w{0,2}",
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
GREETING = any_of(
    r"dear|hey|hi|hello|attention|listen|ok|okay|yo|psst|important|please",
    r"уважаем\w{0,3}|дорог\w{0,3}|привет|эй|внимание|шановн\w{0,3}|любий|люба|увага",
    r"liebe[rs]?|hallo|achtung|cher|chère|bonjour|salut|querid[oa]|hola|estimad[oa]|atención",
)
# "Note to the summariser", "Примечание для нейросети", "Hinweis an die KI".
LABEL = any_of(
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
OVERRIDE = any_of(
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
PRIOR = any_of(
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
POST_PRIOR = any_of(
    r"above|before(?: this| that)?|earlier|so far|up to (?:now|here|this point)|"
    r"you (?:were|have been|'ve been|’ve been) given|you received",
    r"given (?:to you )?(?:above|before|earlier|previously|so far)|"
    r"in (?:your|the) system prompt|from your (?:developers?|creators?|operators?)",
    r"выше|ранее|раньше|вище|раніше|oben|zuvor|davor|ci-dessus|précédentes|plus haut|anteriores|previas|"
    r"de arriba|originales",
)
# Orders a model is given. The strong ones name a model's instructions; the weak ones ("rules", "text")
# also name ordinary things, so they count with "all"/"your" before them or an order after them.
ORDERS_STRONG = any_of(
    r"instructions?|prompts?|system prompts?|directives?|programming|guidelines|guardrails|commands?|"
    r"paragraphs?|sentences?",
    r"инструкци\w{0,3}|указани\w{0,3}|команд\w{0,3}|промпт\w{0,3}|установк\w{0,3}|директив\w{0,3}|"
    r"вказівк\w{0,3}|інструкці\w{0,3}|настанов\w{0,3}",
    r"anweisung(?:en)?|instruktion(?:en)?|befehle?|vorgaben?|richtlinien?|prompts?",
    r"instructions?|consignes?|directives?|instrucciones|indicaciones|directrices|consignas",
)
ORDERS_WEAK = any_of(
    r"rules|orders|guidance|context|content|text|messages?|input|training|restrictions|constraints",
    r"правил\w{0,3}|распоряжени\w{0,3}|розпоряджен\w{0,3}",
    r"regeln|anordnungen|règles|ordres|reglas|órdenes",
)
YOUR = r"(?:your|твои|свои|ваши|твої|свої|ваші|deine|ihre|eure|tes|vos|tus|sus)"
ALL = r"(?:all|any|every|все|всі|усі|alle|sämtliche|toutes?|todas?)"
# "what you were told" and kin, up to the end of the clause: "forget what you were told about fat" is advice.
TOLD = any_of(
    r"(?:what|everything|anything|all|whatever)\s+(?:that\s+)?you\s+(?:were|have\s+been|['’]ve\s+been|had\s+been)"
    r"\s+(?:told|instructed|asked|given|programmed|prompted|ordered)",
    r"(?:всё|все|то)\s*,?\s*что\s+(?:тебе|вам)\s+(?:говорили|сказали|велели|поручили|приказали|было\s+сказано)",
    r"(?:все|усе|те)\s*,?\s*що\s+(?:тобі|вам)\s+(?:казали|сказали|наказали|доручили)",
    r"(?:alles\s*,?\s*)?was\s+(?:dir|ihnen|euch)\s+(?:gesagt|befohlen|aufgetragen|vorgegeben)\s+wurde",
    r"(?:tout\s+)?ce\s+qu['’]on\s+(?:t|vous)['’]a\s+(?:dit|demandé)",
    r"(?:todo\s+)?lo\s+que\s+(?:te|le|les|os)\s+(?:dijeron|han\s+dicho|ordenaron|indicaron|pidieron)",
)
CLAUSE_END = (
    r"(?=\s*(?:[.,;:!?)—–]|$|\s-\s|(?:and|und|и|і|та|et|y|then|dann|puis|затем|потім|so\s+far|before|above|"
    r"earlier|previously|until\s+now|ранее|раньше|выше|раніше|вище|zuvor|vorher|bisher|oben|avant|antes)\b))"
)
# Orders for the payload: what the reader is told to write.
DIRECTIVE = any_of(
    r"report|say|state|write|tell|mention|include|add|claim|describe|summari[sz]e|stress|emphasi[sz]e|assert|"
    r"put|place|rank|rate|give|show|list|mark|label|link|listen|look|"
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
CLAUSE_PUNCTUATION = frozenset(".!?…:;,([«»\"“”'‘—–\n")
CONNECTORS = frozenset(
    "please and then now just simply kindly so also bitte und dann jetzt nun и а затем теперь пожалуйста "
    "просто і та й потім тепер et puis maintenant y luego ahora".split()
)
# This very text: "this article", "the text above", "этой статьи", "dieses Artikels".
THIS_TEXT = any_of(
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
READS = any_of(
    r"reading|summari[sz]ing|processing|parsing|scanning|analy[sz]ing|ingesting|crawling|indexing|rewriting|"
    r"paraphrasing|handling|(?:that|which|who)\s+(?:is\s+)?(?:reads?|summari[sz]es|processes|parses|scans|"
    r"analy[sz]es|ingests|rewrites|reading|summari[sz]ing|processing)",
    r"(?:читающ|пересказывающ|обрабатывающ|анализирующ|резюмирующ|читає|читаюч|обробляюч|переказу)\w{0,4}",
    r"(?:der|die|das)\s+(?:diesen|dieses)\s+\w+\s+(?:liest|zusammenfasst|verarbeitet)",
    r"(?:qui\s+(?:lit|résume|traite)|que\s+(?:lee|resume|procesa)|leyendo|resumiendo|procesando)",
)
SUMMARISING = any_of(
    r"(?:when|while|if|before|after)\s+(?:you\s+(?:are\s+)?)?(?:summari[sz]|paraphras|rewrit|process|pars|"
    r"analy[sz]|ingest)\w*",
    r"(?:при|во\s+время|під\s+час)\s+(?:пересказ|резюмировани|суммаризаци|обработк|анализ|переказ|обробк|"
    r"підсумовуванн)\w{0,3}",
    r"(?:beim|bei\s+der)\s+(?:zusammenfass\w*|wiedergabe|verarbeitung|auswertung)",
    r"(?:en\s+résumant|lorsque\s+(?:tu\s+résumes|vous\s+résumez)|al\s+resumir|cuando\s+resumas)",
)
OUTPUT = any_of(
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
NAME_FOLLOWERS = r"reading|summari[sz]ing|processing|parsing|that|who|which|tasked|here"
END_OF_NAME = rf"(?=\s*(?:[,.:;!?)\]—–]|$)|\s+(?:{NAME_FOLLOWERS})\b)"

# ---- the grammar ------------------------------------------------------------------------------------------

ARTICLE = r"(?:the|these|those|die|der|den|les|las|los|des|ces|esas?|estas?)"
AND = r"(?:and|und|и|і|та|et|y)"
OVERRIDE_OBJECT = any_of(
    # the orders with a marker of "earlier": "the previous instructions", "all prior rules", "your prompt"
    rf"(?:{ALL}\s+(?:of\s+)?)?(?:(?:{ARTICLE}|{YOUR})\s+)?(?:{PRIOR}\s+){{1,2}}{ORDERS_STRONG}",
    rf"(?:{ALL}\s+(?:of\s+)?)?(?:(?:{ARTICLE}|{YOUR})\s+)?(?:{ORDERS_STRONG}|{ORDERS_WEAK})\s+{POST_PRIOR}",
    rf"{YOUR}\s+(?:{PRIOR}\s+)?(?:{ORDERS_STRONG}|{ORDERS_WEAK})",
    rf"{ALL}\s+(?:of\s+)?(?:(?:{ARTICLE}|{YOUR})\s+)?(?:{PRIOR}\s+)?{ORDERS_STRONG}",
    rf"{ALL}\s+(?:of\s+)?(?:(?:{ARTICLE}|{YOUR})\s+)?{PRIOR}\s+{ORDERS_WEAK}",
    # bare orders, then the payload: "ignore the instructions and say ..."
    rf"(?:{ARTICLE}\s+)?{ORDERS_STRONG}\s+{AND}\s+(?:{DIRECTIVE})\b",
    rf"(?:(?:{ALL}\s+(?:of\s+)?)?the\s+above|(?:everything|anything|all)\s+(?:above|before\s+this|so\s+far)"
    rf"|(?:все|всё|усе)\s+(?:написанное\s+)?выше|alles\s+(?:obige|oben\s+stehende)|tout\s+ce\s+qui\s+précède"
    rf"|todo\s+lo\s+anterior){CLAUSE_END}",
    rf"(?:{TOLD}){CLAUSE_END}",
)
# An inverted report reads like a vocative: "Chatbots, say critics, spread errors." A reporting verb counts as
# an order only when a clause, not a speaker, follows it.
REPORTING = (
    r"(?:say|says|warn|warns|claim|claims|note|notes|write|writes|add|adds|argue|argues|insist|insists)"
)
VOCATIVE_ORDER = any_of(
    rf"(?!{REPORTING}\b\s+(?:the\s+|some\s+|many\s+|most\s+)?[\w'’-]+(?:\s+[\w'’-]+)?\s*,){DIRECTIVE}",
    OVERRIDE,
)
SUBJECT_YOU = (
    r"(?:you(?:['’]re|\s+are)|du|sie|ты|вы|ти|ви|tu\s+es|vous\s+[eê]tes|eres|es\s+usted)"
    r"(?:\s+(?:[—–-]\s*)?(?:an?|the|one\s+of\s+the|une?|una?|eine?|ein))?"
)


# fmt: off
ADDRESSEE_HEADS = (
    "ai", "a.i", "artificial", "llm", "gpt", "automat", "assistant", "model", "summari", "chatbot",
    "chatgpt", "chat bot", "bot", "large", "small", "generative", "neural", "language", "claude", "gemini",
    "copilot", "grok", "llama", "mistral", "deepseek", "ии", "ші", "искусствен", "штучн", "ассистент",
    "асистент", "помощник", "помічник", "нейросет", "нейромереж", "языков", "мовн", "модел", "чат", "бот",
    "суммаризатор", "самаризатор", "ki", "k.i", "künstliche", "assistent", "sprachmodell", "modell",
    "zusammenfasser", "ia", "i.a", "intelligence", "modèle", "résumeur", "robot", "agent", "inteligencia",
    "asistente", "modelo", "resumidor", "agente",
)
OVERRIDE_HEADS = (
    "you", "ignor", "disregard", "forget", "overrid", "bypass", "skip", "drop", "abandon", "discard",
    "neglect", "set aside", "pay no", "do not", "don", "stop", "no longer", "no hagas", "игнор", "проигнор",
    "забудь", "отбрось", "отмени", "пренебреги", "не обращ", "не выполн", "не след", "не слуш", "не учит",
    "ігнор", "проігнор", "не зважа", "не звертай", "не викон", "не дотрим", "відкинь", "скасуй", "vergiss",
    "vergesst", "vergessen", "missacht", "übergehe", "verwirf", "oubli", "ne tien", "fais abstraction",
    "olvid", "haz caso", "descarta",
)
YOU_HEADS = ("from now", "henceforth", "starting now", "you")
# fmt: on
