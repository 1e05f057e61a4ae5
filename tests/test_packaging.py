"""What an install gets: the locks agree with pyproject.toml and with each other, the Docker build can read
the lock, and matplotlib is loaded only for a chart. (.ci/run builds and installs the wheel itself.)"""

from __future__ import annotations

import fnmatch
import re
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
RUNTIME_LOCK = ROOT / "requirements.lock"
DEV_LOCK = ROOT / "requirements-dev.lock"


def pins(lock: Path) -> dict[str, tuple[str, frozenset[str]]]:
    """name -> (version, hashes) of a pip-compile lock."""
    found: dict[str, tuple[str, frozenset[str]]] = {}
    for entry in re.split(r"\n(?=\S)", lock.read_text()):
        head = re.match(r"([A-Za-z0-9_.-]+)==(\S+)", entry)
        if head:
            hashes = frozenset(re.findall(r"--hash=sha256:([0-9a-f]{64})", entry))
            found[canonicalize_name(head[1])] = (head[2], hashes)
    return found


def declared() -> tuple[list[Requirement], list[Requirement]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = [Requirement(r) for r in project["dependencies"]]
    return runtime, [Requirement(r) for r in project["optional-dependencies"]["dev"]]


@pytest.mark.parametrize(("lock", "with_dev"), [(RUNTIME_LOCK, False), (DEV_LOCK, True)])
def test_every_declared_dependency_is_pinned_within_its_bounds(lock: Path, with_dev: bool) -> None:
    runtime, dev = declared()
    pinned = pins(lock)
    for requirement in runtime + (dev if with_dev else []):
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{name} is not in {lock.name}: run `make lock`"
        version, hashes = pinned[name]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{lock.name} pins {name}=={version}, outside {requirement.specifier}: run `make lock`"
        )
        assert hashes, f"{name} has no hash in {lock.name}"


def test_runtime_lock_is_the_dev_lock_without_the_dev_tools() -> None:
    runtime, dev = pins(RUNTIME_LOCK), pins(DEV_LOCK)
    assert runtime.keys() < dev.keys()
    assert {name: dev[name] for name in runtime} == runtime  # same versions, same files
    assert all(hashes for _, hashes in dev.values())
    # What the dev lock adds is the dev tools and what they alone pull in, never a runtime package.
    assert {"pytest", "ruff", "mypy"} <= dev.keys() - runtime.keys()
    assert not {"pytest", "ruff", "mypy"} & runtime.keys()


def test_docker_build_installs_the_runtime_lock_before_the_project() -> None:
    ignored = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for needed in ("requirements.lock", "pyproject.toml", "README.md", "LICENSE"):
        assert not any(fnmatch.fnmatch(needed, pattern) for pattern in ignored), needed
    steps = [line.strip() for line in (ROOT / "Dockerfile").read_text().splitlines()]
    lock = steps.index("RUN pip install --require-hashes -r requirements.lock")
    assert steps.index("COPY requirements.lock ./") < lock
    project = next(i for i, step in enumerate(steps) if "pip install --no-deps ." in step)
    assert lock < project


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_nothing_but_a_drawn_chart_loads_matplotlib() -> None:
    r = run_python(
        """
        import importlib, pkgutil, sys
        import bot, briefing, prompts, retrieval
        from bot.cli.parser import build_parser

        build_parser()
        for package in (bot, briefing, prompts, retrieval):
            for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
                if module.name != "briefing.chart" and not module.name.endswith(".__main__"):
                    importlib.import_module(module.name)
        loaders = [name for name in sys.modules if name.startswith("matplotlib")]
        assert not loaders, loaders
        print("imported", len(sys.modules))
        """
    )
    assert r.returncode == 0, r.stderr
    assert "imported" in r.stdout


def test_a_timeline_with_a_chart_loads_matplotlib_and_one_without_does_not() -> None:
    # The names come through briefing.timeline, wherever the records live.
    r = run_python(
        """
        import sys
        from datetime import UTC, datetime
        from briefing import timeline

        def row(day):
            when = datetime(2025, 3, day, tzinfo=UTC)
            statement = timeline.Statement(
                article_id=day, speaker="Ana Ruiz", role=None, text=f"the port reopens on day {day}.",
                kind="reported", said_on=when, sentence=f"Ana Ruiz said the port reopens on day {day}.",
            )
            record = timeline.ChunkRecord(
                chunk_id=f"{day}:0", article_id=day, seq=0, text=statement.sentence, title=f"Port {day}",
                url=f"https://port.example/{day}", outlet="Port News", published=when, added_by="shared",
            )
            return timeline.Row(group="ana ruiz", parts=[statement], record=record)

        names = {"ana ruiz": ("Ana Ruiz", None)}
        one = timeline.write([row(3)], "Ana Ruiz", None, names)
        assert one.chart_png is None and "matplotlib" not in sys.modules
        two = timeline.write([row(3), row(5)], "Ana Ruiz", None, names)
        assert two.chart_png.startswith(b"\\x89PNG") and "matplotlib" in sys.modules
        """
    )
    assert r.returncode == 0, r.stderr
