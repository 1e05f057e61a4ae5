"""Cross-lingual retrieval and the not-found gate on the bilingual set (bench/crosslingual_set.py).

Usage: python bench/crosslingual.py [--json] [--calibrate] [--embedder ensemble|local] [--cache FILE]
       [--models DIR]

The set's 118 passages (59 Russian or Ukrainian, 59 English) are ingested into a fresh library with the real
pipeline and searched as `ask` searches them. For each kind of question (same language; another language in
the same script, Ukrainian asking about Russian; another script, English about Russian or Ukrainian and the
other way round) it reports Hits@1, Hits@5 and MRR@10 of the passage that answers it, how often the gate
lets the question through, and how often that passage reaches the writer (kept within the passage margin).
For the off-topic questions it reports how often the gate says "not found".

`--calibrate` chooses the cross-script offset: the amount a passage's cosine is raised by when it is in
another script than the question (briefing.briefer.cross_script_offset), the same-script bar staying as it
is. The offset taken is the middle of the widest range of offsets that score best on balanced accuracy
(accepted cross-script questions and refused off-topic ones, weighted equally). It prints the figures of
every candidate around it, the alternative of judging cross-script pairs on E5's own cosine, and whether
the product's value is the one chosen: run it again whenever an embedder changes.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import hashlib
import json
import statistics
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.crosslingual_set import CLUSTERS, OFF_TOPIC
from bot.services import open_services
from bot.settings import Settings
from briefing.briefer import (
    LEXICAL_THRESHOLD,
    RERANK_POOL,
    judge_relevance,
    script_offsets,
    search_calibration,
    select_passages,
)
from briefing.citations import content_words, coverage
from briefing.crosslingual import NO_OFFSETS, ScriptOffsets, rerank, search_across_scripts
from retrieval.chunking import passage_for_embedding
from retrieval.embed import E5Embedder, Embedder, LocalEmbedder, minilm_e5
from retrieval.store import Extracted, Hit
from retrieval.text import script_of

K = 10
# Offsets that switch the second search on without changing any ranking that matters here.
_ANY_OFFSET = ScriptOffsets({("Latn", "Cyrl"): 1e-9})
WRITER_K = 8  # what `ask` hands the writer at most, three passages an article


@dataclass(frozen=True, slots=True)
class Question:
    lang: str
    text: str
    gold: str | None  # passage id; None for an off-topic question
    gold_lang: str | None


def passages() -> list[tuple[str, str, str, str]]:
    """(id, language, title, text) of every passage."""
    out = []
    for c in CLUSTERS:
        out.append((f"{c.key}-{c.lang}", c.lang, c.title, c.text))
        out.append((f"{c.key}-en", "en", c.en_title, c.en_text))
    return out


def questions() -> list[Question]:
    out: list[Question] = []
    for c in CLUSTERS:
        x, en = f"{c.key}-{c.lang}", f"{c.key}-en"
        out.append(Question("en", c.to_x, x, c.lang))
        out.append(Question(c.lang, c.to_en, en, "en"))
        if c.en_en:
            out.append(Question("en", c.en_en, en, "en"))
        if c.same:
            out.append(Question(c.lang, c.same, x, c.lang))
        if c.uk_ru:
            out.append(Question("uk", c.uk_ru, x, c.lang))
    out.extend(Question(lang, text, None, None) for lang, text in OFF_TOPIC)
    return out


def kind(q: Question) -> str:
    if q.gold is None:
        return f"off-topic ({q.lang})"
    if q.lang == q.gold_lang:
        return "same language"
    if (q.lang == "en") == (q.gold_lang == "en"):
        return "same script, other language"
    return "other script"


def pair(q: Question) -> str:
    return f"{q.lang}->{q.gold_lang}" if q.gold else f"{q.lang}->none"


@dataclass(slots=True)
class Asked:
    question: Question
    pool: list[Hit]  # what `ask`'s two searches find before re-ranking, three an article
    plain_rank: int | None  # of the gold passage in search's own top K
    ids: dict[str, str]  # chunk id -> passage id
    e5: dict[str, float]  # E5's own cosine of the question and each pooled hit, by chunk id


def _signature(embedder_id: str) -> str:
    asked = [q.text for q in questions()]
    body = json.dumps([embedder_id, passages(), asked, "two searches"], ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()[:16]


async def search_all(embedder_name: str, models: Path | None) -> tuple[list[Asked], str]:
    with tempfile.TemporaryDirectory(prefix="bench-crosslingual-") as tmp:
        minilm = LocalEmbedder()
        # E5's graph is built in `models` (kept for the next run) or, without one, in this run's folder.
        e5 = E5Embedder(models or Path(tmp) / "models") if embedder_name == "ensemble" else None
        embedder: Embedder = minilm_e5(minilm, e5) if e5 is not None else minilm
        settings = Settings(_env_file=None, data_dir=Path(tmp))  # type: ignore[call-arg]
        services = await open_services(settings, embedder=embedder)
        try:
            items = [
                Extracted(text=text, title=title, url=f"https://bench.example/{pid}", site="Bench")
                for pid, _, title, text in passages()
            ]
            results = await services.ingestor.ingest_many(items)
            missing = [r.source for r in results if r.status != "added"]
            if missing:
                raise SystemExit(f"not stored as articles of their own: {missing}")
            by_article = {r.article.id: r.article.url.rsplit("/", 1)[1] for r in results if r.article}
            # E5's own passage vectors, once per passage (for the E5-alone comparison).
            e5_vectors: dict[str, Any] = {}
            if e5 is not None:
                records = [r for rs in (await services.library.indexed_chunks()).values() for r in rs]
                vectors = await e5.embed([passage_for_embedding(r.title, r.text) for r in records])
                e5_vectors = {r.chunk_id: v for r, v in zip(records, vectors, strict=True)}
            asked: list[Asked] = []
            for number, q in enumerate(questions(), 1):
                ranked = [by_article[h.article_id] for h in await services.searcher.search(q.text, k=K)]
                plain = ranked.index(q.gold) + 1 if q.gold in ranked else None
                # The product's two searches (briefing.crosslingual.search_across_scripts), every hit kept:
                # the offsets only re-rank them, in `outcome`.
                pool = await search_across_scripts(
                    services.searcher, q.text, k=4 * WRITER_K * RERANK_POOL, pool=WRITER_K * RERANK_POOL,
                    filters=None, offsets=_ANY_OFFSET, other_script_stored=True,
                )  # fmt: skip
                cosines: dict[str, float] = {}
                if e5 is not None and pool:
                    qv = (await e5.embed_queries([q.text]))[0]
                    cosines = {h.chunk_id: float(e5_vectors[h.chunk_id] @ qv) for h in pool}
                ids = {h.chunk_id: by_article[h.article_id] for h in pool}
                asked.append(Asked(q, pool, plain, ids, cosines))
                if number % 25 == 0:
                    print(f"{number} questions searched", file=sys.stderr)
        finally:
            await services.aclose()
    return asked, embedder.id


def _dump(asked: list[Asked]) -> list[dict[str, Any]]:
    return [
        {"q": a.question.text, "plain_rank": a.plain_rank, "ids": a.ids, "e5": a.e5,
         "pool": [dataclasses.asdict(h) for h in a.pool]}
        for a in asked
    ]  # fmt: skip


def _load(rows: list[dict[str, Any]]) -> list[Asked]:
    by_text = {q.text: q for q in questions()}
    out = []
    for r in rows:
        pool = [Hit(**{**h, "published": None}) for h in r["pool"]]
        out.append(Asked(by_text[r["q"]], pool, r["plain_rank"], r["ids"], r["e5"]))
    return out


def run(embedder_name: str, cache: Path | None, models: Path | None = None) -> tuple[list[Asked], str]:
    """Search every question, or read the searches of an earlier run with the same embedder and set."""
    if cache is not None and cache.is_file():
        saved = json.loads(cache.read_text())
        if saved.get("signature") == _signature(saved.get("embedder", "")):
            return _load(saved["asked"]), saved["embedder"]
    asked, embedder_id = asyncio.run(search_all(embedder_name, models))
    if cache is not None:
        payload = {"signature": _signature(embedder_id), "embedder": embedder_id, "asked": _dump(asked)}
        cache.write_text(json.dumps(payload, ensure_ascii=False, default=str))
    return asked, embedder_id


# ---- what `ask` does with the searches ---------------------------------------------------------------------


@dataclass(slots=True)
class Outcome:
    accepted: bool
    rank: int | None  # of the gold passage among the re-ranked top K
    reached: bool  # the gold passage is among those handed to the writer


def outcome(a: Asked, bar: float, margin: float, offsets: ScriptOffsets) -> Outcome:
    """The product's own steps: re-rank, gate, passage margin."""
    q = a.question
    ranked = rerank(q.text, a.pool, offsets, len(a.pool))
    order = list(dict.fromkeys(a.ids[h.chunk_id] for h in ranked))[:K]
    rank = order.index(q.gold) + 1 if q.gold in order else None
    hits = ranked[:WRITER_K]
    verdict = judge_relevance(q.text, hits, threshold=bar, offsets=offsets)
    reached = False
    if verdict.relevant and q.gold is not None:
        kept = select_passages(q.text, hits, verdict, margin, offsets)
        reached = any(a.ids[p.hit.chunk_id] == q.gold for p in kept)
    return Outcome(verdict.relevant, rank, reached)


def figures(
    asked: list[Asked], bar: float, margin: float, offsets: ScriptOffsets
) -> dict[str, dict[str, Any]]:
    """Per kind of question and per language pair: Hits@1/5 and MRR@10 after re-ranking; accepted by the
    gate and gold passage handed to the writer (answerable questions); refused (off-topic ones)."""
    rows: dict[str, list[tuple[Asked, Outcome]]] = defaultdict(list)
    for a in asked:
        o = outcome(a, bar, margin, offsets)
        rows[kind(a.question)].append((a, o))
        if a.question.gold is not None:
            rows[pair(a.question)].append((a, o))
    out: dict[str, dict[str, Any]] = {}
    for name, got in rows.items():
        n = len(got)
        if name.startswith("off-topic"):
            out[name] = {"n": n, "refused": round(sum(not o.accepted for _, o in got) / n, 3)}
            continue
        ranks = [o.rank for _, o in got]
        plain = [a.plain_rank for a, _ in got]
        out[name] = {
            "n": n,
            "hits@1": round(sum(r == 1 for r in ranks) / n, 3),
            "hits@5": round(sum(bool(r and r <= 5) for r in ranks) / n, 3),
            "mrr@10": round(sum(1 / r for r in ranks if r) / n, 3),
            "search_mrr@10": round(sum(1 / r for r in plain if r) / n, 3),
            "accepted": round(sum(o.accepted for _, o in got) / n, 3),
            "to_writer": round(sum(o.reached for _, o in got) / n, 3),
        }
    return out


# ---- calibration -------------------------------------------------------------------------------------------

GRID = [round(-0.15 + 0.005 * i, 3) for i in range(0, 91)]  # offsets -0.15 .. +0.30


@dataclass(slots=True)
class _Pre:
    """One question's pool reduced to what the offsets change, for a fast grid search (the chosen offsets
    are then checked with the product's own functions in `figures`)."""

    pairs: list[tuple[str | None, str | None]]
    sims: list[float | None]
    scores: list[float]
    covers: list[float]  # share of the question's content words in the hit's title and text
    gold: list[bool]
    wordy: bool  # the question has two content words or more (the lexical rule applies)
    off_topic: bool


def _prepare(asked: list[Asked]) -> list[_Pre]:
    out = []
    for a in asked:
        words = content_words(a.question.text)
        mine = script_of(a.question.text)
        out.append(
            _Pre(
                pairs=[(mine, script_of(h.text)) for h in a.pool],
                sims=[h.similarity for h in a.pool],
                scores=[h.score for h in a.pool],
                covers=[coverage(words, content_words(f"{h.title} {h.text}")) for h in a.pool],
                gold=[a.ids[h.chunk_id] == a.question.gold for h in a.pool],
                wordy=len(words) >= 2,
                off_topic=a.question.gold is None,
            )
        )
    return out


def _fast(p: _Pre, bar: float, margin: float, offsets: dict[tuple[str, str], float]) -> bool:
    """What `outcome` decides, on precomputed figures: refused (off-topic) or gold handed to the writer."""
    moved = [
        None if s is None else s + offsets.get(pair, 0.0)  # type: ignore[arg-type]
        for s, pair in zip(p.sims, p.pairs, strict=True)
    ]
    keyed = [
        p.scores[i] + (offsets.get(p.pairs[i], 0.0) if p.sims[i] is not None else 0.0)  # type: ignore[arg-type]
        for i in range(len(p.scores))
    ]
    top = sorted(range(len(keyed)), key=lambda i: keyed[i], reverse=True)[:WRITER_K]
    best = max((moved[i] or 0.0 for i in top if moved[i] is not None), default=0.0)
    lexical = p.wordy and max((p.covers[i] for i in top), default=0.0) >= LEXICAL_THRESHOLD
    accepted = best >= bar or lexical
    if p.off_topic:
        return not accepted
    if not accepted:
        return False
    kept = [i for i in top if (moved[i] or 0.0) >= best - margin or p.covers[i] >= 0.6] or top[:1]
    return any(p.gold[i] for i in kept)


def _balanced(pre: list[_Pre], bar: float, margin: float, offsets: dict[tuple[str, str], float]) -> float:
    """Answerable questions whose gold passage reaches the writer, and off-topic questions refused, weighted
    equally."""
    good = [0, 0]
    total = [0, 0]
    for p in pre:
        total[p.off_topic] += 1
        good[p.off_topic] += _fast(p, bar, margin, offsets)
    return sum(g / t for g, t in zip(good, total, strict=True) if t) / 2


def _middle(points: list[tuple[float, ...]]) -> tuple[float, ...]:
    """The point of the best-scoring set nearest its coordinate-wise median: the least fragile choice."""
    median = tuple(statistics.median(p[i] for p in points) for i in range(len(points[0])))
    return min(points, key=lambda p: sum((x - m) ** 2 for x, m in zip(p, median, strict=True)))


def _choose(
    asked: list[Asked], bar: float, margin: float
) -> tuple[dict[tuple[str, str], float], dict[str, Any]]:
    """Offsets for English questions over Cyrillic passages (on English questions alone), then for Cyrillic
    questions over Latin and over Cyrillic passages (jointly, on Cyrillic questions alone). English over
    English stays 0: the bar was set there."""
    latin = _prepare([a for a in asked if script_of(a.question.text) == "Latn"])
    cyrillic = _prepare([a for a in asked if script_of(a.question.text) == "Cyrl"])
    scores_l = {o: _balanced(latin, bar, margin, {("Latn", "Cyrl"): o}) for o in GRID}
    best_l = max(scores_l.values())
    (lc,) = _middle([(o,) for o, s in scores_l.items() if s >= best_l - 1e-9])
    scores_c = {
        (cl, cc): _balanced(cyrillic, bar, margin, {("Cyrl", "Latn"): cl, ("Cyrl", "Cyrl"): cc})
        for cl in GRID
        for cc in GRID
    }
    best_c = max(scores_c.values())
    cl, cc = _middle([p for p, s in scores_c.items() if s >= best_c - 1e-9])
    chosen = {("Latn", "Cyrl"): lc, ("Cyrl", "Latn"): cl, ("Cyrl", "Cyrl"): cc}
    return chosen, {
        "english_questions": round(best_l, 3),
        "english_best_range": [min(o for o, s in scores_l.items() if s >= best_l - 1e-9),
                               max(o for o, s in scores_l.items() if s >= best_l - 1e-9)],
        "cyrillic_questions": round(best_c, 3),
        "cyrillic_ties": sum(1 for s in scores_c.values() if s >= best_c - 1e-9),
    }  # fmt: skip


def _half(asked: list[Asked], which: int) -> list[Asked]:
    """Every other cluster's questions (by the cluster's place in the set) and every other off-topic one."""
    place = {c.key: i for i, c in enumerate(CLUSTERS)}
    off = [a for a in asked if a.question.gold is None]
    return [
        a for a in asked
        if (a.question.gold is not None and place[a.question.gold.rsplit("-", 1)[0]] % 2 == which)
        or (a.question.gold is None and off.index(a) % 2 == which)
    ]  # fmt: skip


def calibrate(asked: list[Asked], bar: float, margin: float) -> dict[str, Any]:
    chosen, figures = _choose(asked, bar, margin)
    # Chosen on the even half, scored on the odd one: how much the figures above owe to choosing on them.
    even, odd = _half(asked, 0), _half(asked, 1)
    on_even, _ = _choose(even, bar, margin)
    held_out = {
        "offsets_from_even_half": {f"{a}->{b}": o for (a, b), o in on_even.items()},
        "odd_half_balanced_at_those": round(_balanced(_prepare(odd), bar, margin, on_even), 3),
        "odd_half_balanced_at_its_own_best": round(
            _balanced(_prepare(odd), bar, margin, _choose(odd, bar, margin)[0]), 3
        ),
    }
    return {**{f"{a}->{b}": {"offset": o} for (a, b), o in chosen.items()}, **figures, "held_out": held_out}


def offsets_of(calibration: dict[str, Any]) -> ScriptOffsets:
    return ScriptOffsets({
        ("Latn", "Cyrl"): calibration["Latn->Cyrl"]["offset"],
        ("Cyrl", "Latn"): calibration["Cyrl->Latn"]["offset"],
        ("Cyrl", "Cyrl"): calibration["Cyrl->Cyrl"]["offset"],
    })  # fmt: skip


def e5_alternative(asked: list[Asked], bar: float) -> dict[str, Any]:
    """English questions over Cyrillic passages judged on E5's own cosine instead (no re-ranking): the best
    balanced accuracy of accepting the answerable ones and refusing the off-topic ones any E5 bar reaches."""
    latin = [a for a in asked if script_of(a.question.text) == "Latn" and a.e5]
    if not latin:
        return {}
    best = (0.0, 0.0)
    for step in range(60, 96):
        e5_bar = step / 100
        ok = {True: [0, 0], False: [0, 0]}
        for a in latin:
            hits = a.pool[:WRITER_K]
            same = [h.similarity or 0.0 for h in hits if script_of(h.text) == "Latn"]
            cross = [a.e5.get(h.chunk_id, 0.0) for h in hits if script_of(h.text) == "Cyrl"]
            accepted = max(same, default=0.0) >= bar or max(cross, default=0.0) >= e5_bar
            off = a.question.gold is None
            ok[off][1] += 1
            ok[off][0] += (not accepted) if off else accepted
        score = sum(g / t for g, t in ok.values() if t) / 2
        if score > best[0]:
            best = (score, e5_bar)
    return {"balanced": round(best[0], 3), "e5_bar": best[1]}


def cosine_spread(asked: list[Asked]) -> dict[str, dict[str, float]]:
    """Median ensemble cosine of the gold passage, and of the best hit of off-topic questions, per pair of
    scripts."""
    spread: dict[str, list[float]] = defaultdict(list)
    for a in asked:
        mine = script_of(a.question.text)
        for h in a.pool:
            theirs = script_of(h.text)
            if a.question.gold is None or a.ids[h.chunk_id] == a.question.gold:
                label = "gold" if a.question.gold else "off-topic"
                spread[f"{label} {mine}->{theirs}"].append(h.similarity or 0.0)
    # Off-topic: the best hit of each script per question would be fairer; the median of all is shown.
    return {k: {"median": round(statistics.median(v), 3), "n": len(v)} for k, v in sorted(spread.items())}


def _print_table(title: str, table: dict[str, dict[str, Any]]) -> None:
    head = f"{'n':>5}{'hits@1':>8}{'hits@5':>8}{'mrr@10':>8}{'(search)':>9}{'accepted':>10}{'to writer':>10}"
    print(f"\n{title:30}{head}{'refused':>9}")
    for name, f in sorted(table.items(), key=lambda kv: ("->" in kv[0], kv[0])):
        if "refused" in f:
            print(f"  {name:28}{f['n']:>5}{'':>53}{f['refused']:>9.3f}")
        else:
            print(
                f"  {name:28}{f['n']:>5}{f['hits@1']:>8.3f}{f['hits@5']:>8.3f}{f['mrr@10']:>8.3f}"
                f"{f['search_mrr@10']:>9.3f}{f['accepted']:>10.3f}{f['to_writer']:>10.3f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--calibrate", action="store_true", help="choose the cross-script offsets")
    parser.add_argument("--embedder", default="ensemble", choices=("ensemble", "local"))
    parser.add_argument("--cache", type=Path, help="keep the searches in this file and reuse them")
    parser.add_argument("--models", type=Path, help="build E5's graph in this folder once (else each run)")
    args = parser.parse_args()
    asked, embedder_id = run(args.embedder, args.cache, args.models)
    bar, margin = search_calibration(embedder_id)
    offsets = script_offsets(embedder_id)
    report: dict[str, Any] = {
        "run": {
            "date": datetime.now(UTC).strftime("%Y-%m-%d"), "embedder": embedder_id,
            "passages": len(passages()), "questions": len(asked), "bar": bar, "margin": margin,
            "offsets": {f"{a}->{b}": o for (a, b), o in offsets.by_pair.items()},
        },
        "now": figures(asked, bar, margin, offsets),
        "without_offsets": figures(asked, bar, margin, NO_OFFSETS),
        "cosines": cosine_spread(asked),
    }  # fmt: skip
    if args.calibrate:
        report["calibration"] = calibrate(asked, bar, margin)
        chosen = offsets_of(report["calibration"])
        report["at_chosen"] = figures(asked, bar, margin, chosen)
        report["e5_alone"] = e5_alternative(asked, bar)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
        return
    info = report["run"]
    print(
        f"{info['passages']} passages, {info['questions']} questions; {info['embedder']}; bar {bar}, "
        f"margin {margin}, offsets {info['offsets'] or 'none'}"
    )
    print("hits and MRR after re-ranking ((search): MRR@10 of search as it ranks); accepted by the gate; the")
    print("answering passage handed to the writer; off-topic questions refused")
    _print_table("with the product's offsets", report["now"])
    _print_table("without offsets", report["without_offsets"])
    if "calibration" in report:
        cal = report["calibration"]
        _print_table("with the offsets chosen below", report["at_chosen"])
        picked = {k: cal[k]["offset"] for k in ("Latn->Cyrl", "Cyrl->Latn", "Cyrl->Cyrl")}
        same = all(abs(picked[k] - info["offsets"].get(k, 0.0)) < 1e-9 for k in picked)
        print(
            f"\ncalibration: {picked} (balanced accuracy: English questions {cal['english_questions']}, "
            f"best on {cal['english_best_range']}; Cyrillic questions {cal['cyrillic_questions']}, "
            f"{cal['cyrillic_ties']} tied points); "
            + ("the product has these" if same else "the product differs: update briefing/briefer.py")
        )
        h = cal["held_out"]
        print(
            f"held out: chosen on the even half {h['offsets_from_even_half']}, the odd half scores "
            f"{h['odd_half_balanced_at_those']} with them "
            f"({h['odd_half_balanced_at_its_own_best']} at its own best)"
        )
        if report["e5_alone"]:
            e5 = report["e5_alone"]
            print(f"English questions judged on E5's own cosine instead: {e5['balanced']} at {e5['e5_bar']}")
    print("median cosines: " + "; ".join(f"{k} {v['median']}" for k, v in report["cosines"].items()))


if __name__ == "__main__":
    main()
