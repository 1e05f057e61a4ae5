# Two commands for a fresh machine with only Python 3.11+:
#   make demo   — set up .venv, load the demo articles, answer a sample question
#   make test   — set up .venv and run the test suite
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SHARED ?= ../shared/data

.PHONY: demo test lint lock bench-smoke bench bench-load clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/briefbot --data-dir data/demo demo

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy bot retrieval briefing prompts tests bench

# Benchmarks read the shared data sets; CI runs the small versions only. The load bench needs no data set.
bench-smoke: $(STAMP)
	$(BIN)/python bench/load.py --chats 2 --questions 1 --filler 5 --store both
	$(BIN)/python bench/feeds.py --feeds 3 --items 2
	@if [ -d "$(SHARED)" ]; then \
	  $(BIN)/python bench/extraction.py $(SHARED)/article-extraction --limit 5 && \
	  $(BIN)/python bench/retrieval.py $(SHARED)/realtimeqa-2025 --limit 20; \
	else echo "bench-smoke: $(SHARED) not found, skipped"; fi

bench: $(STAMP)
	$(BIN)/python bench/extraction.py $(SHARED)/article-extraction
	$(BIN)/python bench/retrieval.py $(SHARED)/realtimeqa-2025

# 20 chats x 5 questions against the real bot, embedded Chroma and a Chroma server; a few minutes.
bench-load: $(STAMP)
	$(BIN)/python bench/load.py

# The hash-pinned locks, both written by pip-compile (pip-tools, installed in a throwaway venv):
#   requirements-dev.lock  runtime and dev tools: .ci/run builds the test venv from it
#   requirements.lock      runtime only, the same pins: the Docker image and the installed-package check
# The runtime lock starts from a copy of the dev one, so pip-compile keeps the same pins and only drops
# the dev tools. `make lock` pins what pyproject.toml added or changed and keeps the rest;
# `make lock LOCK_ARGS=--upgrade` moves every pin to the newest release. Hashes come from the index pip
# is configured with: generate against PyPI itself, so the lock lists every file of each release.
LOCK_FLAGS := --quiet --generate-hashes --strip-extras --no-emit-index-url --no-emit-find-links
lock:
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(PY) -m venv "$$tmp" && "$$tmp/bin/python" -m pip install -q --upgrade pip pip-tools && \
	export CUSTOM_COMPILE_COMMAND="make lock" && \
	"$$tmp/bin/pip-compile" $(LOCK_FLAGS) $(LOCK_ARGS) --extra dev -o requirements-dev.lock pyproject.toml && \
	cp requirements-dev.lock requirements.lock && \
	"$$tmp/bin/pip-compile" $(LOCK_FLAGS) -o requirements.lock pyproject.toml

clean:
	rm -rf $(VENV) data/demo
