"""The import graph, read from the source with `ast`: every import counts, including those inside functions
and under TYPE_CHECKING, since a cycle hidden there is still a cycle in the design."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from tests.support.corpus import REPO

PRODUCT = ("retrieval", "briefing", "bot", "prompts")
HANDLERS = REPO / "bot" / "handlers"
# An opening or closing Telegram HTML tag.
TAG = re.compile(r"</?(?:b|i|u|s|a|code|pre|blockquote|tg-spoiler)\b[^<>]*>")

# Lowest first. A module may import its own unit and the units of lower layers, never a higher layer nor
# another unit of its own layer. A unit is a package or module name; the longest matching prefix wins.
LAYERS: list[set[str]] = [
    {"retrieval.errors", "retrieval.text", "retrieval.priority", "prompts"},
    {"retrieval.urls", "retrieval.chunking", "retrieval.dedupe", "retrieval.fusion"},
    {"retrieval.store", "retrieval.embed"},
    {"retrieval.fetch", "retrieval.extract", "retrieval.statements", "retrieval.search", "retrieval.types"},
    # Documents read as articles: extraction's rules, in a sandboxed process of their own.
    {"retrieval.documents"},
    {"retrieval.ingest"},
    {"retrieval.feeds"},
    {"briefing"},
    {"bot.settings", "bot.render"},
    {"bot.state", "bot.access", "bot.inbox", "bot.delivery"},
    # The composition root: builds every service from the settings; the runtime hands them to the front ends.
    {"bot.services"},
    # Watch alerts: what the runtime's ingestion path reports to, below the runtime that builds it.
    {"bot.watching"},
    {"bot.runtime"},
    # The front ends: the Telegram app (handlers) and the CLI.
    {"bot"},
]


def unit_of(module: str) -> str | None:
    best = None
    for layer in LAYERS:
        for unit in layer:
            if (module == unit or module.startswith(unit + ".")) and (best is None or len(unit) > len(best)):
                best = unit
    return best


def rank(unit: str) -> int:
    return next(i for i, layer in enumerate(LAYERS) if unit in layer)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> Iterator[str]:
    me = module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    yield from imports_in(path.read_text(encoding="utf-8"), package)


def imports_in(source: str, package: str) -> Iterator[str]:
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            # `from package import module` imports that module; `from module import name`, the module.
            yield from (f"{target}\0{alias.name}" for alias in node.names)


def product_graph() -> dict[str, set[str]]:
    # Empty `__init__` files (a bare namespace such as `retrieval`) import nothing and belong to no layer.
    modules = {module_name(p): p for top in PRODUCT for p in (REPO / top).rglob("*.py") if p.stat().st_size}
    return {name: resolved(imports_of(path), modules) - {name} for name, path in modules.items()}


def resolved(imports: Iterator[str], modules: dict[str, Path]) -> set[str]:
    found = set()
    for item in imports:
        target, _, name = item.partition("\0")
        if f"{target}.{name}" in modules:
            found.add(f"{target}.{name}")
        elif target in modules:
            found.add(target)
    return found


def violations(graph: dict[str, set[str]]) -> list[str]:
    found = []
    for module, targets in graph.items():
        mine = unit_of(module)
        assert mine is not None, f"{module} belongs to no layer: add it to LAYERS"
        for target in targets:
            theirs = unit_of(target)
            assert theirs is not None, f"{target} belongs to no layer"
            if theirs != mine and rank(theirs) >= rank(mine):
                found.append(f"{module} -> {target}")
    return sorted(found)


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    return found


def test_imports_flow_down_the_layers() -> None:
    assert violations(product_graph()) == []


def test_no_import_cycles() -> None:
    assert cycles(product_graph()) == []


def test_the_checks_can_fail() -> None:
    graph = {"retrieval.store._library": {"briefing.writer"}, "briefing.writer": {"retrieval.store._library"}}
    assert violations(graph) == ["retrieval.store._library -> briefing.writer"]
    assert cycles(graph) == [["briefing.writer", "retrieval.store._library"]]


def test_relative_and_type_checking_imports_count() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "from ._records import Article\n"
        "if TYPE_CHECKING:\n"
        "    from bot.runtime import Runtime\n"
        "def later():\n"
        "    from .. import search\n"
    )
    modules = dict.fromkeys(["retrieval.store._records", "bot.runtime", "retrieval.search"], REPO)
    found = resolved(imports_in(source, "retrieval.store"), modules)
    assert found == set(modules)


def attribute_reads(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}


def test_handlers_go_through_the_runtime() -> None:
    # The runtime is the handlers' one door to the services: no handler reaches the stores directly.
    reached = {p.name: attribute_reads(p) & {"library", "ingestor", "index"} for p in HANDLERS.glob("*.py")}
    assert {name: sorted(attrs) for name, attrs in reached.items() if attrs} == {}


def html_literals(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    strings = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    return [s for s in strings if TAG.search(s)]


def test_telegram_html_is_built_in_render_only() -> None:
    found = {
        str(p.relative_to(REPO)): html_literals(p)
        for p in (REPO / "bot").rglob("*.py")
        if p.name != "render.py" and html_literals(p)
    }
    assert found == {}


def test_the_bot_checks_can_fail(tmp_path: Path) -> None:
    sample = tmp_path / "handler.py"
    sample.write_text('async def h(rt):\n    await rt.services.library.stats()\n    return "<b>done</b>"\n')
    assert "library" in attribute_reads(sample)
    assert html_literals(sample) == ["<b>done</b>"]


def test_records_keep_their_old_import_path_for_outside_tools() -> None:
    # The attribution set's scorer imports `retrieval.types.Article`; the shim must hand over the real class.
    import retrieval.store._records as records
    import retrieval.types

    assert "Article" in retrieval.types.__all__
    for name in retrieval.types.__all__:
        assert getattr(retrieval.types, name) is getattr(records, name)
