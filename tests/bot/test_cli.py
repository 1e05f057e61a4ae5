"""The `briefbot` command, run as a user would: separate processes on a temp data dir."""

from __future__ import annotations

import io
import json
import os
import re
import select
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli.common import Progress, UsageError, parse_when
from bot.cli.parser import build_parser
from tests.support.cli import briefbot


@pytest.fixture
def articles(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "tidal.txt").write_text(
        "date 2025-03-03\nPorthaven switched on a tidal power plant with twelve turbines in the harbour "
        "mouth. Mayor Ines Carvalho said the project took nine years from survey to opening.\n"
    )
    (folder / "bank.md").write_text(
        "# Norland holds rates\n\nThe central bank of Norland kept its main interest rate at 3.5 percent, "
        "saying inflation remains above target and it will wait before cutting.\n"
    )
    return folder


def test_ingest_search_sources_forget_stats(tmp_path: Path, articles: Path) -> None:
    data = tmp_path / "data"
    r = briefbot(data, "ingest", str(articles))
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("added") == 2
    r = briefbot(data, "ingest", str(articles / "tidal.txt"))
    assert r.returncode == 0 and "already" in r.stdout

    r = briefbot(data, "search", "who opened the tidal plant?", "--json", "--k", "2")
    hits = json.loads(r.stdout)
    # A file that names no title is titled by its file name.
    assert hits[0]["title"] == "tidal.txt" and hits[0]["published"].startswith("2025-03-03")
    assert {"article_id", "title", "url", "outlet", "published", "text", "score"} <= set(hits[0])
    r = briefbot(data, "search", "interest rate", "--json", "--since", "2025-01-01")
    assert [h["title"] for h in json.loads(r.stdout)] == [hits[0]["title"]]  # the bank article has no date

    r = briefbot(data, "sources", "--json")
    listed = json.loads(r.stdout)
    assert len(listed) == 2
    r = briefbot(data, "stats", "--json")
    stats = json.loads(r.stdout)
    assert stats["articles"] == 2 and stats["dense_vectors"] == stats["indexed_chunks"] > 0

    target = next(a for a in listed if a["title"] == "Norland holds rates")
    r = briefbot(data, "forget", str(target["id"]))
    assert r.returncode == 0 and "Forgot" in r.stdout
    r = briefbot(data, "forget", "999")
    assert r.returncode == 1 and "No shared article" in r.stderr

    r = briefbot(data, "reindex")
    assert r.returncode == 0 and "Reindexed" in r.stdout
    assert json.loads(briefbot(data, "stats", "--json").stdout)["articles"] == 1


def test_bad_input_exits_non_zero(tmp_path: Path) -> None:
    data = tmp_path / "data"
    r = briefbot(data, "ingest", str(tmp_path / "missing.txt"))
    assert r.returncode == 1 and "no such file" in r.stdout
    bad = tmp_path / "x.pdf"
    bad.write_bytes(b"%PDF-1.7\n1 0 obj garbage")
    r = briefbot(data, "ingest", str(bad))
    assert r.returncode == 1 and "damaged" in r.stdout
    (tmp_path / "x.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    r = briefbot(data, "ingest", str(tmp_path / "x.png"))
    assert r.returncode == 1 and "this kind of file is not read" in r.stdout
    r = briefbot(data, "search", "x", "--since", "yesterday-ish")
    assert r.returncode == 2 and "not a date" in r.stderr
    r = briefbot(data, "extract", str(tmp_path / "nope.html"))
    assert r.returncode == 2 and "no such file" in r.stderr
    # A BriefbotError (here the fetcher's refusal of a private address) is its message alone: no traceback.
    r = briefbot(data, "extract", "http://127.0.0.1:9/page")
    assert r.returncode == 1 and r.stderr.startswith("error: ") and "Traceback" not in r.stderr
    assert "FetchError" not in r.stderr, r.stderr
    r = subprocess.run([sys.executable, "-m", "bot.cli", "frobnicate"], capture_output=True, text=True)
    assert r.returncode == 2


def test_extract_json(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>Turbines turn | Courier</title><meta property='og:site_name' content='Courier'>"
        "<meta property='article:published_time' content='2025-03-03'></head><body><article>"
        "<h1>Turbines turn</h1>"
        "<p>The tidal plant in Porthaven began producing electricity on Monday after nine years of work, "
        "the city said, and it should cover a fifth of local demand in a normal year.</p>"
        "<p>Engineers said the turbines turn with both the rising and the falling tide.</p>"
        "</article></body></html>"
    )
    r = briefbot(
        tmp_path / "data", "extract", str(page), "--url", "https://courier.example/turbines", "--json"
    )
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert set(out) == {"title", "text", "url", "published", "author", "site"}
    assert out["title"] == "Turbines turn" and "rising and the falling tide" in out["text"]
    assert out["published"].startswith("2025-03-03")
    assert not (tmp_path / "data").exists()  # extract never stores


def test_global_options_before_or_after_the_subcommand() -> None:
    parser = build_parser()
    for argv, data_dir, verbose in [
        (["--data-dir", "A", "ask", "q"], "A", False),
        (["ask", "--data-dir", "B", "q"], "B", False),
        (["--data-dir", "A", "ask", "--data-dir", "B", "q"], "B", False),  # the nearer one wins
        (["ask", "q"], None, False),
        (["-v", "--data-dir", "A", "stats"], "A", True),  # not reset by the subcommand's defaults
        (["stats", "-v"], None, True),
        (["demo", "--data-dir", "C"], "C", False),
    ]:
        args = parser.parse_args(argv)
        assert (args.data_dir, args.verbose) == (data_dir, verbose), argv


def test_data_dir_after_the_subcommand_reaches_the_command(tmp_path: Path) -> None:
    data = tmp_path / "late"
    r = subprocess.run(
        [sys.executable, "-m", "bot.cli", "stats", "--json", "--data-dir", str(data)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["data_dir"] == str(data) and (data / "library.sqlite3").exists()


def test_version() -> None:
    from importlib.metadata import version

    r = subprocess.run([sys.executable, "-m", "bot.cli", "--version"], capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.strip() == f"briefbot {version('briefbot')}"


def test_parse_when() -> None:
    assert parse_when("2025-02-27").isoformat() == "2025-02-27T00:00:00+00:00"
    assert parse_when("2025-02-27", end_of_day=True).isoformat() == "2025-02-27T23:59:59+00:00"
    assert parse_when("24h") < parse_when("1h")
    with pytest.raises(UsageError):
        parse_when("soon")


def _read_tty(master: int) -> str:
    out = b""
    while not out.endswith(b"\n") and select.select([master], [], [], 5)[0]:
        out += os.read(master, 4096)
    return out.decode()


def test_progress_bar_follows_a_running_count_to_the_end() -> None:
    # `reindex` reports (articles done, articles in all) once per batch of passages, not once per article.
    master, slave = os.openpty()
    try:
        with open(slave, "w", closefd=False) as tty:
            bar = Progress(0, stream=tty)
            for done in (2, 5, 9, 10, 10):
                bar.report(done, 10)
        out = _read_tty(master)
    finally:
        os.close(master)
        os.close(slave)
    assert re.findall(r"\] (\d+)/10", out) == ["2", "5", "9", "10"]  # nothing drawn after the end
    assert "[" + "#" * 30 + "] 10/10" in out and out.count("\n") == 1

    quiet = io.StringIO()  # not a terminal: no bar, but the count is still kept
    bar = Progress(0, stream=quiet)
    bar.report(7, 10)
    assert quiet.getvalue() == "" and bar.done == 7


def test_backup_then_restore_into_an_empty_data_dir(tmp_path: Path, articles: Path) -> None:
    import asyncio

    from bot.state import BotState

    data = tmp_path / "data"
    assert briefbot(data, "ingest", str(articles)).returncode == 0
    state = BotState(data / "bot.sqlite3")
    asyncio.run(state.subscribe(1001, 7, 30, "Europe/Kyiv"))
    state.close()

    r = briefbot(data, "backup", str(tmp_path / "copy"))
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in (tmp_path / "copy").iterdir()) == ["bot.sqlite3", "library.sqlite3"]
    again = briefbot(data, "backup", str(tmp_path / "copy"))
    assert again.returncode != 0 and "not empty" in again.stderr  # never overwrites an earlier backup

    restored = tmp_path / "restored"
    (tmp_path / "copy").rename(restored)  # no chroma folder: the index is rebuilt at start-up
    stats = json.loads(briefbot(restored, "stats", "--json").stdout)
    before = json.loads(briefbot(data, "stats", "--json").stdout)
    assert stats["articles"] == before["articles"] == 2
    assert stats["dense_vectors"] == stats["indexed_chunks"] == before["indexed_chunks"]
    r = briefbot(restored, "search", "who opened the tidal plant?", "--json", "--k", "1")
    assert json.loads(r.stdout)[0]["title"] == "tidal.txt"
    state = BotState(restored / "bot.sqlite3")
    assert [s.chat_id for s in asyncio.run(state.subscriptions())] == [1001]
    state.close()


def run_statements(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "statements", *args],
        input=stdin, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_statements_of_one_article_file_without_storing_it(tmp_path: Path) -> None:
    file = tmp_path / "harbour.txt"
    file.write_text(
        "date 2025-03-03\nPorthaven switched on a tidal power plant. Mayor Ines Carvalho said on Saturday "
        'that the project took nine years.\n\n"It was worth every day," she told reporters.\n'
    )
    r = run_statements(str(file), "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == [
        {"speaker": "Ines Carvalho", "role": "Mayor", "kind": "reported",
         "text": "the project took nine years.", "said_on": "2025-03-01"},
        {"speaker": "Ines Carvalho", "role": "Mayor", "kind": "quote", "text": "It was worth every day.",
         "said_on": "2025-03-01"},
    ]  # fmt: skip
    r = run_statements(str(file))
    assert r.returncode == 0 and "Ines Carvalho (Mayor): “It was worth every day.”" in r.stdout
    assert not (tmp_path / "data").exists()  # nothing stored
    r = run_statements(str(tmp_path / "missing.txt"))
    assert r.returncode == 1 and "missing.txt" in r.stderr


def test_statements_jsonl_answers_every_line_in_order() -> None:
    lines = [
        {
            "id": "a",
            "text": "The Harbour Board said the ferry would run again on Monday.",
            "title": "Ferries",
        },
        "not json",
        {"id": "c", "text": "Nothing was said here at all, only facts about the tide and the weather."},
        {
            "id": "d",
            "text": "Ana Ruiz said on Tuesday that the port would reopen.",
            "published": "2025-11-02",
        },
    ]
    stdin = "".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines)
    r = run_statements("--jsonl", stdin=stdin)
    assert r.returncode == 0, r.stderr
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert [row["id"] for row in rows] == ["a", None, "c", "d"]
    assert rows[0]["statements"] == [
        {"speaker": "Harbour Board", "role": None, "kind": "reported",
         "text": "the ferry would run again on Monday.", "said_on": None}
    ]  # fmt: skip
    assert "error" in rows[1] and rows[1]["statements"] == []
    assert rows[2]["statements"] == []
    assert rows[3]["statements"][0]["said_on"] == "2025-10-28"


def test_statements_needs_a_file_or_jsonl() -> None:
    r = run_statements()
    assert r.returncode == 2 and "--jsonl" in r.stderr


def test_every_entry_point_knows_every_subcommand() -> None:
    """`python -m bot.cli` and `python -m bot` (= `briefbot run`) build the same parser as the script."""
    r = subprocess.run([sys.executable, "-m", "bot.cli", "stance", "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "--chart" in r.stdout, r.stderr
    r = subprocess.run([sys.executable, "-m", "bot", "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.startswith("usage: briefbot run"), r.stderr


def test_prepare_checks_the_models_and_builds_e5s_graph(tmp_path: Path, models_dir: Path) -> None:
    r = briefbot(tmp_path / "data", "prepare")
    assert r.returncode == 0, r.stderr
    assert "minilm-l6-v2-int8-e5i8 ready" in r.stdout and str(models_dir) in r.stdout
    assert (models_dir / "e5-small-i8.onnx").is_file() and (models_dir / "e5-small-i8.json").is_file()
    assert (models_dir / "e5-small-i8.onnx.data").is_file()
    assert len(list(models_dir.glob("minilm-l6-v2-int8-*.onnx.data"))) == 1  # MiniLM's optimised graph
    assert not (tmp_path / "data").exists()  # it needs no library
    r = briefbot(tmp_path / "data", "prepare", env={"EMBEDDING_BACKEND": "local"})
    assert r.returncode == 0 and "minilm-l6-v2-int8 ready" in r.stdout
