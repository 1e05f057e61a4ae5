"""Load benchmark: many chats asking at once, against the real bot over a local Telegram Bot API server.

Usage: python bench/load.py [--chats 20] [--questions 5] [--filler 300] [--store embedded|server|both]
       [--during-ingest 20 [--long-passages 100]] [--store-cache DIR] [--json]

Per store mode, in a fresh temporary data dir:
1. `briefbot ingest` (a subprocess, as an operator would run it) loads the demo articles (`bot/demo_articles`,
   the same files `briefbot demo` loads) and `--filler` generated articles, so search has more than ten
   articles to rank;
2. the bot runs in its own process: `build_application` + `start_polling` with the default services (local
   ONNX embedder, offline writer, embedded Chroma or a `chroma run` server), polling the Bot API stand-in
   `tests.support.telegram_server.BotApiServer` that runs in this process. Every simulated chat is allowed and
   the per-chat question limit is raised so it never throttles the run. python-telegram-bot's own
   AIORateLimiter (Telegram's 30 messages/s) stays on, as in production;
3. `--chats` chats start together; each asks `--questions` questions one after another, asking the next as
   soon as the previous one is fully answered.

Latency of a question: from pushing its update to the Bot API server's receipt of the bot's last reply for it
(the final sendMessage, or the chart photo a stance answer ends with). The bot process reports when it has
finished with an update (a handler in a later group than the product's handlers, so it runs after them); that
is how the load driver knows no further part of the answer is coming. It is never used as a time stamp.

CPU per answer: the bot process's CPU time over the load (user + system, every thread: the models, SQLite,
Chroma, python-telegram-bot), divided by the answers. It is what the machine pays for an answer, and it moves
much less than latency when other work shares the cores.

With `--during-ingest N`, the same bot process then answers questions twice more: first on an idle bot, then
while a chat has sent it links to N long articles (`--long-passages` passages each, served by a local site in
this process), which it fetches, embeds and stores meanwhile. Four chats ask one question after another in
both runs; the report compares the latency of the two (the target is p95 under ingestion at most 1.5 times
the idle p95) and says how many articles were still being ingested while the questions were answered.

Memory is read from /proc of the bot process only (the Bot API stand-in and this driver run elsewhere),
sampled every 0.1 s in a thread: at idle after start-up, the sampled peak under load, the kernel's high-water
mark (VmHWM, which also covers start-up), and after the load. In server mode the Chroma server's resident set
is reported separately. Every figure printed is measured in that run.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
_ROOT = _HERE.parent
# Run as a script, this file's folder comes first on sys.path and bench/retrieval.py would shadow the
# retrieval package; the repository root takes its place.
sys.path[:] = [str(_ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != _HERE]

from bench._common import Sampler, percentile  # noqa: E402

DEMO_DIR = _ROOT / "bot" / "demo_articles"
QUESTION_TIMEOUT = 120.0
STARTUP_TIMEOUT = 180.0
SAMPLE_EVERY = 0.1
# Settings the operator's environment must not slip into the bot or the CLI (the tests scrub the same ones).
_ENV_PREFIXES = ("BRIEFBOT_", "EMBEDDING_", "CHROMA_", "LLM_", "OPENAI_", "TELEGRAM_", "ALLOWED_", "FETCH_")
FIRST_CHAT = 910_001

QUESTIONS = [
    "What is the Kremlin's stance on the annexed regions?",
    "Did Russia accept a ceasefire?",
    "What did Zelensky propose about swapping territory?",
    "How did the UN General Assembly vote on the annexation?",
    "What conditions did Putin set for peace talks in June 2024?",
    "What did Lavrov say about freezing the front line?",
    "How did Moscow react to the minerals deal?",
    "Why did the council approve the new tram line?",
    "How much will the flood barrier cost?",
    "Who opposed the airport expansion and why?",
    "What did residents say about the hospital merger?",
    "Is there any news about a volcano eruption in Iceland?",
]


# ---- filler articles ---------------------------------------------------------------------------------------

_PLACES = [
    a + b
    for a in "Ash Bel Cor Dun Elm Fair Glen Hol Iver Kings Lan Mar Nor Oak Pen Red Stan Tor Wes Yar".split()
    for b in "ford mouth by ton wick dale field haven stead bridge".split()
]
_FIRST = "Ada Bram Clara Dev Edith Farid Greta Hugo Ines Jonas Kemi Lior Maren Nils Olga Pavel Rosa".split()
_LAST = "Abbott Brandt Castillo Dahl Eriksen Fischer Grant Haddad Ivanova Jensen Kowalski Moreau".split()
_TOPICS = [
    "the new tram line", "the harbour dredging", "the school meals budget", "an offshore wind farm",
    "the hospital merger", "a rent cap", "the river flood barrier", "the central library closure",
    "a bus fare freeze", "the water treatment plant", "a cycling network", "the airport expansion",
    "the steelworks rescue", "a heat pump subsidy", "the bridge repairs", "the stadium sale",
    "a recycling scheme", "the broadband roll-out", "the night train link", "a four-day week trial",
]  # fmt: skip
_ROLES = [
    "mayor", "council leader", "union spokesperson", "transport secretary", "chief engineer",
    "opposition leader", "residents' association chair", "hospital director", "finance officer",
]  # fmt: skip
_ORGS = [
    "Chamber of Commerce", "Civic Trust", "regional audit office", "Taxpayers' Alliance",
    "Green Futures group", "county planning board", "Small Business Forum", "Institute for Local Policy",
]  # fmt: skip
_OUTLETS = [
    "Northern Ledger", "Valley Post", "Coastal Courier", "The Borough Times", "Riverside Gazette",
    "Evening Standard-Bearer", "County Herald", "The Civic Record",
]  # fmt: skip
_MONTHS = "January February March April May June July August September October".split()
_SENTENCES = [
    "The council of {town} voted {n} to {m} on {day} to go ahead with {topic}.",
    "{Role} {person} said the plan would cost about {money} million and take {years} years to finish.",
    '"We have waited long enough," {person} told reporters outside the town hall in {town}.',
    "Opponents argued that {topic} would push up local taxes by {pct} percent.",
    "A survey by the {org} found that {pct2} percent of residents backed the proposal.",
    "Work on {topic} is due to start in {month} {year}, according to the {org}.",
    "{person2}, who has been {role} since {since}, called the decision a turning point for {town}.",
    "The neighbouring town of {town2} is watching the project closely and may copy it.",
    "Critics, among them {role2} {person2}, warned that the timetable was unrealistic.",
    "Officials expect {topic} to create around {jobs} jobs over the next decade.",
    "The vote followed {n} public meetings and more than {big} written comments.",
    "A legal challenge filed by the {org} could delay {topic} until {later}.",
    "Shop owners in {town} were split, with {pct2} percent of them in favour.",
    "The regional government has promised to cover {pct} percent of the cost of {topic}.",
    "{person} said the money would come from loans, grants and a levy on {levy}.",
    "Engineers said the first phase alone would take {months} months.",
    "It is the {nth} time in {years} years that {town} has argued about {topic}.",
    "Residents of the {district} district, the area most affected, will get a say in {month}.",
    "The {org} called the outcome a compromise that pleased nobody entirely.",
    "A spokesperson for the {role2} declined to comment on the latest figures.",
    "{town} last tried something similar in {since}, when the plan collapsed over funding.",
    "Turnout at the final hearing was the highest since {since}, with {big} people signing in.",
]
_DISTRICTS = ["harbour", "old town", "station", "riverside", "market", "hillside", "university", "docklands"]
_LEVIES = ["parking", "hotel stays", "commercial rents", "second homes", "road freight", "cruise visitors"]


def filler_article(i: int, rng: random.Random) -> str:
    """One made-up local news story; distinct enough from the others that dedup keeps it."""
    town, town2 = rng.sample(_PLACES, 2)
    person, person2 = (f"{rng.choice(_FIRST)} {rng.choice(_LAST)}" for _ in range(2))
    role, role2 = rng.sample(_ROLES, 2)
    topic = rng.choice(_TOPICS)
    published = date(2024, 1, 1) + timedelta(days=rng.randrange(700))
    n = rng.randrange(5, 20)
    slots = {
        "town": town, "town2": town2, "person": person, "person2": person2, "role": role, "role2": role2,
        "Role": role[0].upper() + role[1:], "topic": topic, "org": rng.choice(_ORGS), "n": n,
        "m": rng.randrange(1, n), "day": published.strftime("%A"), "money": rng.randrange(3, 900),
        "years": rng.randrange(2, 15), "pct": rng.randrange(2, 40), "pct2": rng.randrange(30, 90),
        "month": rng.choice(_MONTHS), "year": published.year + 1, "since": rng.randrange(1990, 2022),
        "jobs": rng.randrange(40, 3000), "big": rng.randrange(200, 20000), "later": published.year + 3,
        "levy": rng.choice(_LEVIES), "months": rng.randrange(4, 30), "nth": rng.choice(["second", "third"]),
        "district": rng.choice(_DISTRICTS),
    }  # fmt: skip
    body = " ".join(s.format(**slots) for s in rng.sample(_SENTENCES, rng.randrange(10, 17)))
    verb = rng.choice(["approves", "delays", "rejects", "debates", "funds"])
    return (
        f"date {published.isoformat()}\nurl https://filler.example/{town.lower()}/{i}\n"
        f"title {town} {verb} {topic.removeprefix('the ')}\noutlet {rng.choice(_OUTLETS)}\n\n{body}\n"
    )


def write_filler(folder: Path, count: int, seed: int = 7) -> list[Path]:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = folder / f"filler-{i:04d}.txt"
        path.write_text(filler_article(i, rng), encoding="utf-8")
        paths.append(path)
    return paths


# ---- /proc readings ----------------------------------------------------------------------------------------


def _tree(pid: int) -> list[int]:
    """The process and its descendants (a server may fork workers)."""
    pids, queue = [], [pid]
    while queue:
        p = queue.pop()
        pids.append(p)
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                queue.extend(int(c) for c in (task / "children").read_text().split())
        except OSError:
            continue
    return pids


def rss_mb(pid: int) -> float:
    """Memory of a process tree in MiB (the bot, its extraction workers and their fork server), 0 once it
    is gone: each process's proportional set size, so pages the workers share with the fork server are
    counted once, not once per process; its resident set where the kernel gives no PSS."""
    total_kb = 0
    for p in _tree(pid):
        try:
            total_kb += _pss_kb(p)
        except (OSError, ValueError, IndexError):
            pass
    return total_kb / 1024


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except PermissionError:
        pass
    return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * resource.getpagesize() // 1024


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    # utime and stime are fields 14 and 15 of stat(5); the split starts at field 3.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def hwm_mb(pid: int) -> float | None:
    """The kernel's record of the process's largest resident set (VmHWM)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return None


class ProcSampler(Sampler):
    """The resident sets of other processes, read from /proc; keeps each one's peak."""

    def __init__(self, pids: dict[str, int], interval: float = SAMPLE_EVERY) -> None:
        super().__init__(interval)
        self.pids = pids
        self.peak_mb = dict.fromkeys(pids, 0.0)

    def _sample(self) -> None:
        for name, pid in self.pids.items():
            self.peak_mb[name] = max(self.peak_mb[name], rss_mb(pid))


def disk_mb(path: Path) -> float:
    """Allocated size of a folder, as `du` counts it."""
    blocks = sum(p.stat().st_blocks for p in path.rglob("*") if p.is_file()) if path.exists() else 0
    return blocks * 512 / (1024 * 1024)


# ---- the bot process ---------------------------------------------------------------------------------------


def clean_env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_ENV_PREFIXES)}
    return {**env, **extra}


async def bot_process(config: dict[str, Any]) -> None:
    """The child: the product's Application as `briefbot run` builds it, plus a report of finished updates."""
    import logging

    from telegram import Update
    from telegram.ext import TypeHandler

    from bot.app import build_application, start_polling, stop_polling
    from bot.cli.common import quiet_http_logs
    from bot.context import BriefbotContext
    from bot.settings import Settings

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    quiet_http_logs()
    app = build_application(Settings(_env_file=None, **config))  # type: ignore[call-arg]

    async def finished(update: Update, context: BriefbotContext) -> None:
        if update.effective_chat is not None and update.effective_message is not None:
            print(f"done {update.effective_chat.id} {update.effective_message.message_id}", flush=True)

    # Group 1 runs only after the product's handler for the update (group 0) has returned.
    app.add_handler(TypeHandler(Update, finished), group=1)
    await start_polling(app)
    print("ready", flush=True)
    # The driver closes our stdin to stop us.
    await asyncio.to_thread(sys.stdin.read)
    await stop_polling(app)


# ---- the driver --------------------------------------------------------------------------------------------


@dataclass
class Answer:
    latency_s: float
    parts: int
    photos: int
    kind: str


@dataclass
class Bot:
    proc: asyncio.subprocess.Process
    waiting: dict[tuple[int, int], asyncio.Future[None]] = field(default_factory=dict)

    async def read_reports(self, ready: asyncio.Future[None]) -> None:
        assert self.proc.stdout is not None
        async for raw in self.proc.stdout:
            words = raw.decode().split()
            if words == ["ready"] and not ready.done():
                ready.set_result(None)
            elif len(words) == 3 and words[0] == "done":
                fut = self.waiting.pop((int(words[1]), int(words[2])), None)
                if fut is not None and not fut.done():
                    fut.set_result(None)
        gone = RuntimeError(f"the bot process exited with {await self.proc.wait()}")
        for fut in [ready, *self.waiting.values()]:
            if not fut.done():
                fut.set_exception(gone)


def classify(html_texts: list[str]) -> str:
    joined = "\n".join(html_texts)
    if "Too many questions" in joined:
        return "throttled"
    return "with_sources" if "<b>Sources</b>" in joined else "without_sources"


async def ask_in_chat(tg: Any, bot: Bot, chat_id: int, questions: Iterable[str]) -> list[Answer]:
    loop = asyncio.get_running_loop()
    answers = []
    for question in questions:
        update = tg.make_text_message(chat_id, question)
        message_id = update["message"]["message_id"]
        done: asyncio.Future[None] = loop.create_future()
        bot.waiting[(chat_id, message_id)] = done
        pushed = time.time()
        tg.push_update(update)
        await asyncio.wait_for(done, QUESTION_TIMEOUT)
        # One question at a time per chat: everything sent to it since the push belongs to this answer.
        sent = [c for c in tg.sent_messages(chat_id) if c.timestamp >= pushed]
        if not sent:
            raise RuntimeError(f"chat {chat_id} got no reply to {question!r}")
        texts = [str(c.params.get("text") or "") for c in sent if c.method == "sendMessage"]
        photos = sum(c.method == "sendPhoto" for c in sent)
        latency = max(c.timestamp for c in sent) - pushed
        answers.append(Answer(latency, len(texts), photos, classify(texts)))
    return answers


def ingest(data_dir: Path, files: list[Path], env: dict[str, str], workdir: Path) -> dict[str, Any]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "--data-dir", str(data_dir), "ingest", *map(str, files)],
        cwd=workdir, env=clean_env({**env, "PYTHONPATH": str(_ROOT)}), capture_output=True, text=True,
    )  # fmt: skip
    counts: dict[str, int] = {}
    for line in done.stdout.splitlines():
        word = line.split(maxsplit=1)[0] if line.strip() else ""
        if word in ("added", "already", "linked", "failed"):
            counts[word] = counts.get(word, 0) + 1
    if counts.get("added", 0) == 0:
        raise RuntimeError(f"ingest failed ({done.returncode}): {done.stderr[-2000:]}")
    return {"statuses": counts, "seconds": round(time.perf_counter() - started, 1)}


def prepared_store(
    data_dir: Path, files: list[Path], env: dict[str, str], workdir: Path, args: argparse.Namespace, mode: str
) -> dict[str, Any]:
    """The ingested library: from `--store-cache` when it holds one made from the same articles, else ingested
    now (and kept there, before the bot touches it, for the next run)."""
    cache = args.store_cache / mode if args.store_cache is not None and mode == "embedded" else None
    signature = {"files": [p.name for p in files], "filler": args.filler, "sha": _files_sha(files)}
    if cache is not None and (cache / "store.json").is_file():
        kept = json.loads((cache / "store.json").read_text())
        if kept["signature"] == signature:
            shutil.copytree(cache / "data", data_dir)
            return {**kept["ingest"], "reused_from": str(cache)}
    loaded = ingest(data_dir, files, env, workdir)
    if cache is not None:
        shutil.rmtree(cache, ignore_errors=True)
        shutil.copytree(data_dir, cache / "data")
        (cache / "store.json").write_text(json.dumps({"signature": signature, "ingest": loaded}))
    return loaded


def _files_sha(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


async def run_mode(mode: str, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    from tests.support.chroma_server import ChromaServer
    from tests.support.telegram_server import BotApiServer

    data_dir = workdir / mode / "data"
    files = sorted(DEMO_DIR.glob("*.txt")) + write_filler(workdir / "filler", args.filler)
    store_env: dict[str, str] = {}
    server: ChromaServer | None = None
    if mode == "server":
        server = ChromaServer(workdir / mode / "chroma-server").start()
        store_env = {"CHROMA_HOST": server.host, "CHROMA_PORT": str(server.port)}
    try:
        loaded = prepared_store(data_dir, files, store_env, workdir, args, mode)
        async with BotApiServer() as tg:
            chat_ids = [FIRST_CHAT + i for i in range(args.chats)]
            config: dict[str, Any] = {
                "data_dir": str(data_dir), "telegram_bot_token": tg.token,
                "telegram_api_base_url": f"{tg.url}/bot",
                "allowed_chat_ids": [*chat_ids, INGEST_CHAT, *ASKING_CHATS],
                "questions_per_minute": 100_000, "links_per_minute": 100_000,
                # The long articles come from a site on this machine.
                "fetch_allow_private_networks": True,
            }  # fmt: skip
            if server is not None:
                config.update(chroma_host=server.host, chroma_port=server.port)
            report = await drive(tg, config, chat_ids, args, workdir / mode / "bot.log", server)
        report["store_contents"] = {
            "ingest": loaded,
            "data_dir_mb": round(disk_mb(data_dir), 2),
            **({"chroma_server_dir_mb": round(disk_mb(server.path), 2)} if server else {}),
        }
        return {"store": mode, **report}
    finally:
        if server is not None:
            server.stop()


def _tail(path: Path, chars: int = 3000) -> str:
    return path.read_text(errors="replace")[-chars:]


async def drive(
    tg: Any, config: dict[str, Any], chat_ids: list[int], args: argparse.Namespace, log: Path, server: Any
) -> dict[str, Any]:
    started = time.perf_counter()
    with log.open("wb") as log_fh:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--bot-process", json.dumps(config),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=log_fh,
            cwd=log.parent, env=clean_env({}),
        )  # fmt: skip
    bot = Bot(proc)
    ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    reader = asyncio.create_task(bot.read_reports(ready))
    pids = {"bot": proc.pid}
    if server is not None and server.pid is not None:
        pids["chroma_server"] = server.pid
    try:
        await asyncio.wait_for(ready, STARTUP_TIMEOUT)
        startup_s = time.perf_counter() - started
        await asyncio.sleep(1.0)
        idle = {name: rss_mb(pid) for name, pid in pids.items()}
        # Other work on the machine slows answers down; the load average says how much there was.
        host_load = os.getloadavg()[0]
        cpu0 = {name: cpu_seconds(pid) for name, pid in pids.items()}
        with ProcSampler(pids) as sampler:
            t0 = time.perf_counter()
            n_questions = len(QUESTIONS)
            per_chat = await asyncio.gather(*(
                ask_in_chat(tg, bot, chat, [QUESTIONS[(i + q) % n_questions] for q in range(args.questions)])
                for i, chat in enumerate(chat_ids)
            ))  # fmt: skip
            seconds = time.perf_counter() - t0
        cpu = {name: cpu_seconds(pid) - cpu0[name] for name, pid in pids.items()}
        host_load_after = os.getloadavg()[0]
        during = await questions_during_ingest(tg, bot, config, args) if args.during_ingest else None
        hwm = hwm_mb(proc.pid)
        await asyncio.sleep(1.0)
        after = rss_mb(proc.pid)
    except BaseException:
        # The log lives in a temporary folder that is about to go.
        sys.stderr.write(f"bot process log (end):\n{_tail(log)}\n")
        raise
    finally:
        if proc.stdin is not None:
            proc.stdin.close()
        try:
            await asyncio.wait_for(proc.wait(), 30)
        except TimeoutError:
            proc.kill()
            await proc.wait()
        await reader
    answers = [a for chat in per_chat for a in chat]
    latencies = [a.latency_s * 1000 for a in answers]
    kinds: dict[str, int] = {}
    for a in answers:
        kinds[a.kind] = kinds.get(a.kind, 0) + 1
    rss: dict[str, float | None] = {
        "bot_idle": idle["bot"], "bot_peak_sampled": sampler.peak_mb["bot"], "bot_peak_hwm": hwm,
        "bot_after_load": after,
    }  # fmt: skip
    if "chroma_server" in pids:
        rss["chroma_server_idle"] = idle["chroma_server"]
        rss["chroma_server_peak"] = sampler.peak_mb["chroma_server"]
    return {
        "load": {
            "chats": len(chat_ids), "questions_per_chat": args.questions, "answers": len(answers),
            "seconds": round(seconds, 2), "answers_per_s": round(len(answers) / seconds, 2),
            "bot_cpu_s": round(cpu["bot"], 1),
            # What one answer costs the bot process, every thread counted (engines, SQLite, Chroma, Telegram).
            "bot_cpu_ms_per_answer": round(1000 * cpu["bot"] / len(answers)),
            "host_load_1m_before": round(host_load, 2),
            "host_load_1m_after": round(host_load_after, 2),
            **({"chroma_server_cpu_s": round(cpu["chroma_server"], 1)} if "chroma_server" in cpu else {}),
        },
        "latency_ms": {
            "p50": round(percentile(latencies, 50)), "p95": round(percentile(latencies, 95)),
            "max": round(max(latencies)), "mean": round(statistics.fmean(latencies)),
        },
        "answers": {
            **kinds, "messages": sum(a.parts for a in answers), "charts": sum(a.photos for a in answers),
        },
        "rss_mb": {k: round(v, 1) if v is not None else None for k, v in rss.items()},
        "startup_s": round(startup_s, 2),
        **({"during_ingest": during} if during else {}),
    }  # fmt: skip


# ---- questions while long articles are ingested ------------------------------------------------------

INGEST_CHAT = FIRST_CHAT - 1
ASKING_CHATS = [FIRST_CHAT - 10 - i for i in range(4)]
_LONG_SENTENCES = [
    "The {org} said the {topic} in {town} had gone over budget by {pct} percent in its {nth} year.",
    "{person}, the {role}, told the council that {jobs} residents had written in about {topic}.",
    "Engineers on {topic} said the {district} district would be affected for {months} months.",
    "A report on {topic} found that {pct2} percent of shop owners in {town} expected fewer customers.",
]


def long_article(i: int, passages: int) -> str:
    """A long made-up report: about 150 words a passage, `passages` of them, distinct from every other."""
    rng = random.Random(1000 + i)
    town = rng.choice(_PLACES)
    paragraphs = []
    for p in range(passages * 2):
        slots = {
            "org": rng.choice(_ORGS), "topic": rng.choice(_TOPICS), "town": town,
            "pct": rng.randrange(2, 60),
            "nth": rng.choice(["first", "second", "third"]), "role": rng.choice(_ROLES),
            "person": f"{rng.choice(_FIRST)} {rng.choice(_LAST)}", "jobs": rng.randrange(40, 9000),
            "district": rng.choice(_DISTRICTS), "months": rng.randrange(2, 40), "pct2": rng.randrange(10, 95),
        }  # fmt: skip
        sentences = [rng.choice(_LONG_SENTENCES).format(**slots) for _ in range(3)]
        paragraphs.append(f"<p>Section {i}.{p}: {' '.join(sentences)}</p>")
    title = f"{town} audit of public works, volume {i}"
    body = "".join(paragraphs)
    return f"<html><head><title>{title}</title></head><body><article>{body}</article></body></html>"


async def _ask_until(
    tg: Any, bot: Bot, chat: int, stop: asyncio.Event | None, count: int, offset: int
) -> list[Answer]:
    """`count` questions one after another, or, with `stop`, as many as fit before it is set."""
    answers: list[Answer] = []
    q = offset
    while (stop is None and len(answers) < count) or (stop is not None and not stop.is_set()):
        answers += await ask_in_chat(tg, bot, chat, [QUESTIONS[q % len(QUESTIONS)]])
        q += 1
    return answers


async def questions_during_ingest(
    tg: Any, bot: Bot, config: dict[str, Any], args: argparse.Namespace
) -> dict[str, Any]:
    from tests.support.web_site import serve_pages

    pages: dict[str, tuple[int, str, bytes | str]] = {
        f"/long/{i}": (200, "text/html", long_article(i, args.long_passages))
        for i in range(args.during_ingest)
    }
    idle = [a for chat in await asyncio.gather(*(
        _ask_until(tg, bot, chat, None, 5, n) for n, chat in enumerate(ASKING_CHATS)
    )) for a in chat]  # fmt: skip
    loop = asyncio.get_running_loop()
    async with serve_pages(pages) as site:
        urls = [f"{site}{path}" for path in pages]
        stop = asyncio.Event()
        started = time.perf_counter()
        messages = []
        for start in range(0, len(urls), 5):
            update = tg.make_text_message(INGEST_CHAT, "\n".join(urls[start : start + 5]))
            done: asyncio.Future[None] = loop.create_future()
            bot.waiting[(INGEST_CHAT, update["message"]["message_id"])] = done
            tg.push_update(update)
            messages.append(done)

        async def ingestion() -> float:
            await asyncio.gather(*messages)
            stop.set()
            return time.perf_counter() - started

        ingest_s, asked = await asyncio.gather(ingestion(), asyncio.gather(*(
            _ask_until(tg, bot, chat, stop, 0, n) for n, chat in enumerate(ASKING_CHATS)
        )))  # fmt: skip
    busy = [a for chat in asked for a in chat]
    cards = "\n".join(str(c.params.get("text") or "") for c in tg.sent_messages(INGEST_CHAT))

    def summary(answers: list[Answer]) -> dict[str, float]:
        ms = [a.latency_s * 1000 for a in answers]
        return {"questions": len(ms), "p50": round(percentile(ms, 50)), "p95": round(percentile(ms, 95))}

    idle_s, busy_s = summary(idle), summary(busy)
    return {
        "articles": args.during_ingest, "passages_each": args.long_passages,
        "added": cards.count("Added ("), "ingest_s": round(ingest_s, 1),
        "idle": idle_s, "under_ingestion": busy_s,
        "p95_ratio": round(busy_s["p95"] / max(idle_s["p95"], 1), 2),
    }  # fmt: skip


def render(report: dict[str, Any]) -> str:
    lines = [f"load bench {report['run']['date']}, {report['run']['cpus']} CPUs, "
             f"{report['run']['filler_articles']} filler + demo articles"]  # fmt: skip
    for r in report["modes"]:
        ld, lat, rss, st = r["load"], r["latency_ms"], r["rss_mb"], r["store_contents"]
        lines += [
            f"[{r['store']}] {ld['chats']} chats x {ld['questions_per_chat']} questions: "
            f"{ld['answers']} answers in {ld['seconds']:.1f} s = {ld['answers_per_s']:.2f} answers/s; "
            f"bot CPU {ld['bot_cpu_s']} s = {ld['bot_cpu_ms_per_answer']} ms per answer"
            + (f", chroma server CPU {ld['chroma_server_cpu_s']} s" if "chroma_server_cpu_s" in ld else "")
            + f"; host load average {ld['host_load_1m_before']} before, {ld['host_load_1m_after']} after",
            f"  latency p50 {lat['p50']} ms, p95 {lat['p95']} ms, max {lat['max']} ms "
            f"(mean {lat['mean']} ms)",
            f"  answers: {r['answers']}",
            f"  bot RSS: idle {rss['bot_idle']:.0f} MiB, peak under load {rss['bot_peak_sampled']:.0f} MiB "
            f"(sampled; VmHWM {rss['bot_peak_hwm']:.0f} MiB), after load {rss['bot_after_load']:.0f} MiB",
        ]
        if "chroma_server_idle" in rss:
            lines.append(f"  chroma server RSS: idle {rss['chroma_server_idle']:.0f} MiB, "
                         f"peak {rss['chroma_server_peak']:.0f} MiB")  # fmt: skip
        server_dir = (
            f", chroma server dir {st['chroma_server_dir_mb']} MiB" if "chroma_server_dir_mb" in st else ""
        )
        lines.append(
            f"  bot start-up {r['startup_s']:.1f} s; ingest {st['ingest']['statuses']} in "
            f"{st['ingest']['seconds']} s; data dir {st['data_dir_mb']} MiB{server_dir}"
        )
        if "during_ingest" in r:
            d = r["during_ingest"]
            lines.append(
                f"  questions while {d['articles']} articles of {d['passages_each']} passages were ingested "
                f"({d['added']} added in {d['ingest_s']} s): p50 {d['under_ingestion']['p50']} ms, "
                f"p95 {d['under_ingestion']['p95']} ms over {d['under_ingestion']['questions']} questions; "
                f"idle p50 {d['idle']['p50']} ms, p95 {d['idle']['p95']} ms; p95 ratio {d['p95_ratio']}"
            )
    return "\n".join(lines)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    modes = ["embedded", "server"] if args.store == "both" else [args.store]
    with tempfile.TemporaryDirectory(prefix="briefbot-load-") as tmp:
        results = [await run_mode(mode, args, Path(tmp)) for mode in modes]
    return {
        "run": {
            "date": datetime.now(UTC).strftime("%Y-%m-%d"), "cpus": os.cpu_count(),
            "filler_articles": args.filler, "demo_articles": len(list(DEMO_DIR.glob("*.txt"))),
        },
        "modes": results,
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--bot-process"]:
        asyncio.run(bot_process(json.loads(argv[1])))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--chats", type=int, default=20, help="simulated chats asking at the same time")
    parser.add_argument("--questions", type=int, default=5, help="questions per chat, one after another")
    parser.add_argument("--filler", type=int, default=300, help="generated articles loaded besides the demo")
    parser.add_argument("--store", choices=["embedded", "server", "both"], default="both")
    parser.add_argument(
        "--during-ingest", type=int, default=0, metavar="N",
        help="then ask questions while the bot ingests N long articles sent as links (0: skip)",
    )  # fmt: skip
    parser.add_argument("--long-passages", type=int, default=100, help="passages per long article")
    parser.add_argument(
        "--store-cache", type=Path, default=None, metavar="DIR",
        help="reuse the ingested library kept in DIR by an earlier run with the same articles, or keep this "
        "run's there (embedded store only; ingestion is most of a run's time)",
    )  # fmt: skip
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if args.chats < 1 or args.questions < 1 or args.filler < 0:
        parser.error("--chats and --questions must be at least 1, --filler at least 0")
    report = asyncio.run(run(args))
    print(json.dumps(report, indent=2) if args.json else render(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
