"""PDF text extraction: which library reads laid-out pages best, and what our clean-up adds.

Usage: python bench/documents.py [--json] [--limit N] [--libraries a,b]

briefbot installs pypdfium2 only; to compare, `pip install pypdf pdfminer.six pdfplumber` (a library that is
not installed is left out of the tables).

No data set: the PDFs are generated here (tests/support/documents.py, reportlab) from the ten demo articles,
in six layouts a printed report uses: two and three columns, ragged and justified lines (a justified line is
drawn word by word, so a reader must see the gaps), a standard and an embedded TrueType font, running headers
and footers with page numbers, words hyphenated at line ends, columns written in reading order or line by
line across the page. The text before layout is the ground truth.

Each library's page texts are scored raw (pages joined) and after `retrieval.documents`' clean-up (furniture
dropped, hyphenated words joined, lines joined into paragraphs):

- token F1: words (case-folded) as a bag, precision and recall over the document;
- order F1: word 4-gram shingles, as bench/extraction.py scores pages: columns read across mix them up;
- joins: of the words the layout broke at a line end, the share read back whole (a compound broken at its
  own hyphen counts when read back with its hyphen);
- furniture: header, footer and page-number lines left in the text, per page;
- ms/page: reading time only, median of the documents.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from retrieval.documents._layout import clean_pages
from retrieval.extract import extract_text
from tests.support.documents import Layout, Made, layout_pdf

_ARTICLES = Path(__file__).resolve().parents[1] / "bot" / "demo_articles"
_WORD = re.compile(r"\w+(?:[-‐]\w+)*")

LAYOUTS: dict[str, Layout] = {
    "2 columns, ragged, Times": Layout(),
    "2 columns, justified, TrueType": Layout(font="Vera", justify=True, footer="{n}", header_right=None),
    "1 column, Helvetica": Layout(
        columns=1,
        font="Helvetica",
        size=10.5,
        header="Talks on the war: a reader",
        header_right=None,
        footer="— {n} —",
    ),
    "3 columns, justified, small": Layout(columns=3, size=8.5, justify=True, footer="Page {n}"),
    "2 columns, drawn across": Layout(draw_order="rows", furniture_first=True),
    "2 columns, indents only": Layout(paragraph_gap=0, justify=True, footer="{n} / {total}"),
}
# Written after the clean-up and the reading order were tuned on the layouts above, and scored as they came.
HELD_OUT: dict[str, Layout] = {
    "2 columns, narrow gutter (12 pt)": Layout(size=10, gutter=12, justify=True, footer="p. {n}"),
    "2 columns, narrow gutter, drawn across": Layout(size=10, gutter=12, draw_order="rows"),
    "2 columns, TrueType, ragged, no hyphenation": Layout(
        font="Vera",
        hyphenate=False,
        header="Porthaven Review — Dossier",
        header_right="{n}",
        footer="",
    ),
}


def corpus(limit: int | None = None, layouts: dict[str, Layout] | None = None) -> list[tuple[str, Made]]:
    """Two documents per layout: articles 1-5 and 6-10 (each article's headline a heading in the text)."""
    articles = [extract_text(p.read_text(encoding="utf-8")) for p in sorted(_ARTICLES.glob("*.txt"))]
    groups = [articles[:5], articles[5:]]
    docs: list[tuple[str, Made]] = []
    for name, layout in (layouts or LAYOUTS).items():
        for g, group in enumerate(groups):
            paragraphs: list[str] = []
            for a in group:
                paragraphs.append(a.title or "")
                paragraphs.extend(a.text.split("\n\n"))
            title = f"Dossier {g + 1}: statements on the war and on talks to end it"
            docs.append((f"{name} #{g + 1}", layout_pdf(title, paragraphs, layout)))
    return docs[:limit] if limit else docs


# ---- the libraries: each gives one text per page -------------------------------------------------------


def read_pdfium(data: bytes) -> list[str]:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    finally:
        doc.close()


def read_pypdf(data: bytes) -> list[str]:
    import pypdf

    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def read_pypdf_layout(data: bytes) -> list[str]:
    import pypdf

    return [page.extract_text(extraction_mode="layout") for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def read_pdfminer(data: bytes) -> list[str]:
    from pdfminer.high_level import extract_text as pdfminer_text

    return pdfminer_text(io.BytesIO(data)).split("\f")


def read_pdfplumber(data: bytes) -> list[str]:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def read_ours(data: bytes) -> list[str]:
    """What briefbot runs: pypdfium2's characters, put in reading order by their boxes."""
    from retrieval.documents._pdf import page_texts

    return page_texts(data)


LIBRARIES: dict[str, Callable[[bytes], list[str]]] = {
    "pypdfium2": read_pdfium,
    "pypdf": read_pypdf,
    "pypdf (layout mode)": read_pypdf_layout,
    "pdfminer.six": read_pdfminer,
    "pdfplumber": read_pdfplumber,
}


def _installed(library: str) -> bool:
    import importlib.util

    module = {"pdfminer.six": "pdfminer"}.get(library.split(" ")[0], library.split(" ")[0])
    return importlib.util.find_spec(module) is not None


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for dist in ("pypdfium2", "pypdf", "pdfminer.six", "pdfplumber"):
        try:
            out[dist] = version(dist)
        except PackageNotFoundError:
            out[dist] = "not installed"
    return out


# ---- scores --------------------------------------------------------------------------------------------


def _tokens(text: str) -> list[str]:
    return [w.casefold().replace("‐", "-") for w in _WORD.findall(text)]


def _f1(truth: Counter[Any], got: Counter[Any]) -> float:
    common = sum((truth & got).values())
    if not common:
        return 0.0
    precision, recall = common / sum(got.values()), common / sum(truth.values())
    return 2 * precision * recall / (precision + recall)


def _shingles(tokens: list[str], size: int = 4) -> Counter[Any]:
    return Counter(tuple(tokens[i : i + size]) for i in range(max(1, len(tokens) - size + 1)))


@dataclass
class Score:
    token_f1: float
    order_f1: float
    joins: float
    furniture_per_page: float


def score(made: Made, text: str) -> Score:
    truth, got = _tokens(made.text), _tokens(text)
    got_bag = Counter(got)
    broken = made.split_words + made.hard_hyphens
    # A word read back whole occurs in the text at least as often as in the truth.
    truth_bag = Counter(truth)
    whole = sum(1 for w in set(broken) if got_bag[w.casefold()] >= truth_bag[w.casefold()])
    joins = whole / len(set(broken)) if broken else 1.0
    flat = " ".join(text.split())
    lines = [line.strip() for line in text.splitlines()]
    furniture = 0
    for line in set(made.furniture):
        if re.search(r"[^\W\d_]{2}", line):
            furniture += len(re.findall(rf"(?<!\w){re.escape(line)}(?!\w)", flat))
        else:  # a bare page number ("3", "— 3 —") counts where it stands on a line of its own
            furniture += lines.count(line)
    return Score(
        token_f1=_f1(Counter(truth), got_bag),
        order_f1=_f1(_shingles(truth), _shingles(got)),
        joins=joins,
        furniture_per_page=furniture / made.pages,
    )


def run(
    libraries: dict[str, Callable[[bytes], list[str]]], docs: list[tuple[str, Made]]
) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for name, read in libraries.items():
        raw: list[Score] = []
        cleaned: list[Score] = []
        per_page: list[float] = []
        by_layout: dict[str, float] = {}
        for doc_name, made in docs:
            start = time.perf_counter()
            pages = read(made.data)
            per_page.append((time.perf_counter() - start) * 1000 / made.pages)
            raw.append(score(made, "\n".join(pages)))
            cleaned.append(score(made, clean_pages(pages)))
            layout = doc_name.rsplit(" #", 1)[0]
            by_layout[layout] = by_layout.get(layout, 0.0) + cleaned[-1].order_f1 / 2
        rows.append({
            "library": name,
            "raw": _mean(raw),
            "cleaned": _mean(cleaned),
            "ms_per_page": statistics.median(per_page),
            "order_f1_by_layout": by_layout,
        })  # fmt: skip
    return rows


def _mean(scores: list[Score]) -> dict[str, float]:
    return {
        key: statistics.fmean(getattr(s, key) for s in scores)
        for key in ("token_f1", "order_f1", "joins", "furniture_per_page")
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--limit", type=int, default=None, help="only the first N documents of each set")
    parser.add_argument("--libraries", default=None, help="comma-separated names (default: all, and ours)")
    args = parser.parse_args()
    libraries = {name: read for name, read in LIBRARIES.items() if _installed(name)}
    libraries["ours (pypdfium2, reading order from boxes)"] = read_ours
    if args.libraries:
        wanted = {n.strip() for n in args.libraries.split(",")}
        libraries = {k: v for k, v in libraries.items() if k in wanted or k.split(" ")[0] in wanted}
    sets = {"tuned": LAYOUTS, "held-out": HELD_OUT}
    results = {}
    for set_name, layouts in sets.items():
        docs = corpus(args.limit, layouts)
        results[set_name] = (docs, run(libraries, docs), layouts)
    if args.json:
        print(json.dumps({"versions": _versions(), **{k: v[1] for k, v in results.items()}}, indent=2))
        return 0
    print(_versions())
    for set_name, (docs, rows, layouts) in results.items():
        _table(set_name, docs, rows, list(layouts))
    return 0


def _table(
    set_name: str, docs: list[tuple[str, Made]], rows: list[dict[str, object]], layouts: list[str]
) -> None:
    pages = sum(m.pages for _, m in docs)
    broken = sum(len(m.split_words) + len(m.hard_hyphens) for _, m in docs)
    print()
    print(f"{set_name} layouts: {len(docs)} documents, {pages} pages, {broken} words broken at line ends")
    print()
    print("| library | token F1 raw → cleaned | order F1 raw → cleaned | joins raw → cleaned "
          "| furniture/page raw → cleaned | ms/page |")  # fmt: skip
    print("|---|---|---|---|---|---|")
    for row in rows:
        raw, cleaned = row["raw"], row["cleaned"]
        assert isinstance(raw, dict) and isinstance(cleaned, dict)
        cells = [
            f"{raw[key]:.3f} → {cleaned[key]:.3f}"
            for key in ("token_f1", "order_f1", "joins", "furniture_per_page")
        ]
        print(f"| {row['library']} | " + " | ".join(cells) + f" | {row['ms_per_page']:.1f} |")
    print()
    print("order F1 after clean-up, by layout:")
    print()
    print("| library | " + " | ".join(layouts) + " |")
    print("|---|" + "---|" * len(layouts))
    for row in rows:
        by = row["order_f1_by_layout"]
        assert isinstance(by, dict)
        print(f"| {row['library']} | " + " | ".join(f"{by.get(k, 0):.3f}" for k in layouts) + " |")


if __name__ == "__main__":
    raise SystemExit(main())
