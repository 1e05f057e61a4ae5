"""Texts for checking the port against the engine: hand-written multilingual lines and edge cases, and
(validate.py only) chunks of the realtimeqa corpus cut as the product cuts them."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

# Written for this check; news-like, in the languages the bot's users write in, plus others with accents.
MULTILINGUAL = [
    "Правительство объявило о новых мерах поддержки малого бизнеса после резкого роста цен на энергию.",
    "В Москве прошёл митинг против повышения пенсионного возраста; полиция задержала несколько человек.",
    "Центральный банк сохранил ключевую ставку на уровне 16 % и допустил её снижение во втором полугодии.",
    "Учёные из Новосибирска представили прототип квантового компьютера на 50 кубитах.",
    "Сборная России по хоккею не примет участия в чемпионате мира из-за отстранения.",
    "Что известно о пожаре на складе в Подмосковье?",
    "Верховна Рада ухвалила закон про посилення відповідальності за корупцію в оборонних закупівлях.",
    "У Києві через масовану атаку дронів частина лівого берега залишилася без світла та води.",
    "Україна отримала новий транш фінансової допомоги від Європейського Союзу на відновлення енергетики.",
    "Чи відновлять залізничне сполучення між Харковом і Львовом до кінця року?",
    "Міністерство освіти оприлюднило результати національного мультипредметного тесту.",
    "Ґрунтовні зміни в податковому кодексі набудуть чинності з першого січня; їх підтримали 240 депутатів.",
    "Die Bundesregierung hat sich auf einen Kompromiss beim Heizungsgesetz geeinigt.",
    "Donaudampfschifffahrtsgesellschaftskapitänsmütze und "
    "Rindfleischetikettierungsüberwachungsaufgabenübertragungsgesetz",
    "Überraschend trat der Vorstandsvorsitzende zurück; die Aktie fiel um 7,5 Prozent.",
    "Le gouvernement français a présenté un projet de loi sur l'immigration très contesté à l'Assemblée.",
    "El Banco de España prevé que la inflación se modere hasta el 2,4 % a finales de año.",
    "Rząd w Warszawie zapowiedział podwyżki płac dla nauczycieli od września.",
    "Çok sayıda kişi İstanbul'daki depremin ardından sokaklarda geceyi geçirdi.",
    "Η κυβέρνηση ανακοίνωσε νέα μέτρα για την ακρίβεια στα τρόφιμα.",
    "東京証券取引所で日経平均株価が史上最高値を更新した。",
    "北京宣布将延长对部分欧洲国家的免签政策。",
    "مجلس الأمن يعقد جلسة طارئة لمناقشة الوضع الإنساني في غزة.",
    "naïve café résumé coöperate façade jalapeño Zürich São Paulo Ångström",
    "Combining marks: e\u0301 a\u0308 n\u0303 (decomposed) vs é ä ñ (composed)",
    "Full-width ＡＢＣ１２３ and ligatures ﬁ ﬂ, roman numeral Ⅻ, circled ① ② ③",
    "Emoji news 🚀🌍🔥 — markets rally 📈 while oil slips 🛢️; 👩‍👩‍👧 family 🇺🇦 flag",
    "Mixed script: Tesla (TSLA) акции выросли на 12% після звіту за Q3 2025.",
    "URL https://example.com/news/2025/10/23/louvre-heist?id=123&ref=rss and e-mail press@example.org",
    "   leading and trailing spaces, tabs\tand\nnewlines   ",
    "Literal control pieces <s> </s> <pad> <unk> <mask> inside text",
    "Zero\u200bwidth\u200cjoiners\u200dand\ufeffBOM, soft\u00adhyphen, no-break\u00a0space",
]

EDGE_CASES = [
    "",
    " ",
    "a",
    "?",
    "😀",
    "\u2581\u2581 metaspace characters typed by hand \u2581",
    "Supercalifragilisticexpialidocious" * 20,  # one 680-character word
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 60,  # > 510 tokens: two windows
]


def corpus_chunks(data_dir: Path, limit: int, every: int = 23) -> list[str]:
    """Every `every`th passage of the corpus, chunked as the product chunks for the MiniLM+E5 ensemble.

    The product cuts chunks to MiniLM's token count (the ensemble's first model) at 200 tokens and embeds
    each as "title\\ntext"; done here with the product's own chunker when it can be imported.
    """
    from retrieval.chunking import Chunker, passage_for_embedding
    from retrieval.embed import LocalEmbedder

    chunker = Chunker(LocalEmbedder().count_tokens, max_tokens=200)
    out: list[str] = []
    with gzip.open(data_dir / "corpus.jsonl.gz", "rt", encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            if n % every:
                continue
            row = json.loads(line)
            out.extend(passage_for_embedding(row["title"], c.text) for c in chunker.split(row["text"]))
            if len(out) >= limit:
                break
    return out[:limit]


def questions(data_dir: Path, limit: int) -> list[str]:
    with (data_dir / "questions.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line)["question"] for _, line in zip(range(limit), fh, strict=False)]


def corpus_texts(data_dir: Path) -> list[str]:
    """Every passage (title and text) and every question and answer choice: the tokenizer's long check."""
    texts: list[str] = []
    with gzip.open(data_dir / "corpus.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            texts.append(f"{row['title']}\n{row['text']}")
    with (data_dir / "questions.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            texts.append(row["question"])
            texts.extend(row["choices"])
    return texts
