"""The Russian and Ukrainian words for the subjects of `briefing.topics.COVERS`, as word beginnings.

A statement in Russian about "the new regions" shares no word with an English topic, and the sentence model
(MiniLM) reads English only; these stems let the topic table find the subject in Russian and Ukrainian text
as it does in English. Each stem is the start of a word ("регион" finds регионы, регионов, регионах), and
none may start common unrelated words (no "газ", which starts "газета"); a phrase is a run of word starts
("нов регион": новые регионы, новых регионов). Keyed by the entry's first name; written for the subjects of
the war in Ukraine and its diplomacy, where Russian and Ukrainian sources matter most.
"""

from __future__ import annotations

STEMS: dict[str, tuple[str, ...]] = {
    "annexed regions": (
        "нов регион", "нов регіон", "нов територ", "присоединенн", "приєднан", "присоединён", "присоединени",
        "воссоединени",
        "аннекс", "анекс", "крым", "крим", "севастопол", "донецк", "донеччин", "луганск", "луганщин",
        "запорожск", "запорізьк", "херсонск", "херсонськ", "донбас", "днр", "лнр", "референдум",
        "территори", "територі", "оккупир", "окупован", "окупац", "лини фронт", "лінії фронт",
        "лінія фронт", "границ", "кордон",
    ),
    "ceasefire": (
        "перемири", "перемир'", "перемир’", "прекращени огн", "прекращение огн", "припинен вогн",
        "припинення вогн", "заморозк", "заморожуванн",
    ),
    "peacekeepers": ("миротворц", "миротворч", "иностранн войск", "іноземн військ", "контингент"),
    "security guarantees": ("гаранти безопасност", "гарантій безпек", "гарантії безпек"),
    "sanctions": ("санкци", "санкці", "эмбарго", "ембарго", "потолок цен", "теневой флот", "тіньов флот"),
    "nato membership": ("нато",),
    "eu membership": ("вступлени в евросоюз", "вступ до євросоюз", "вступ до єс"),
    "peace talks": ("переговор", "перемовин", "мирн план", "мирного план", "мирн угод", "мирн соглашени"),
    "prisoner exchange": ("обмен пленн", "обмін полонен", "военнопленн", "військовополонен"),
    "zaporizhzhia nuclear plant": ("заэс", "запорізьк аес", "запорожск аэс", "аэс", "аес"),
    "nuclear weapons": ("ядерн", "ядерн оруж", "ядерн зброї"),
    "energy infrastructure": (
        "энергосистем", "енергосистем", "подстанци", "підстанці", "энергетик", "енергетик",
    ),
    "grain deal": ("зерн", "зернов коридор", "зерновий коридор"),
    "military aid": (
        "военн помощ", "військов допомог", "поставк оружи", "постачанн зброї", "оружи", "зброї",
    ),
    "gas supplies": ("газопровод", "газов", "поставк газ", "постачанн газ", "транзит газ"),
    "elections": (
        "выборы", "выборов", "выборах", "вибор", "легитимн", "легітимн", "военн положени", "воєнн стан",
    ),
}  # fmt: skip
