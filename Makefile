# Two commands for a fresh machine with only Python 3.11+:
#   make demo   — set up .venv, load the demo articles, answer a sample question
#   make test   — set up .venv and run the test suite
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SHARED ?= ../shared/data

.PHONY: demo test lint bench-smoke bench bench-load clean

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

clean:
	rm -rf $(VENV) data/demo
