# Two commands matter: `make run` and `make test`. Both set everything up on a fresh machine.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SAMPLE_DB := sample.duckdb

.PHONY: run test lint bench clean setup

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	rm -rf $(SAMPLE_DB) $(SAMPLE_DB).wal sample.landing
	$(BIN)/hubbub --db $(SAMPLE_DB) init
	$(BIN)/hubbub --db $(SAMPLE_DB) import sample/youtube_spam_collection/*.csv --platform youtube \
		--map native_id=COMMENT_ID --map author_handle=AUTHOR --map created_at=DATE --map text=CONTENT
	$(BIN)/hubbub --db $(SAMPLE_DB) status
	$(BIN)/hubbub --db $(SAMPLE_DB) noise
	@echo "== sentiment (fast tier, English posts)"
	$(BIN)/hubbub --db $(SAMPLE_DB) stats sentiment --bucket none
	@echo "== most active authors"
	$(BIN)/hubbub --db $(SAMPLE_DB) stats top authors --limit 5
	@echo "== what was said in the last 30 days of the sample"
	$(BIN)/hubbub --db $(SAMPLE_DB) stats headlines --window 30d --count 3

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q
	$(MAKE) lint

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/parse.py
	$(BIN)/python benchmarks/query_match.py
	$(BIN)/python benchmarks/noise.py
	$(BIN)/python benchmarks/analytics_quality.py
	$(BIN)/python benchmarks/analytics_speed.py

clean:
	rm -rf $(VENV) *.duckdb *.duckdb.wal *.landing .pytest_cache .mypy_cache .ruff_cache
