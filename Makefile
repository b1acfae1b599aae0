# Two commands matter: `make run` and `make test`. Both set everything up on a fresh machine.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SAMPLE_DB := sample.duckdb
PORT ?= 8000

.PHONY: run test lint bench clean setup

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@# numba compiles the text kernels once (~20 s) and caches them: done here, not mid-import.
	$(BIN)/python -m hubbub.compiled
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
	@echo "== the dashboard: three artists compared, a saved dashboard, an owner account"
	$(BIN)/hubbub --db $(SAMPLE_DB) topics add psy 'psy OR gangnam OR oppa' --group artists
	$(BIN)/hubbub --db $(SAMPLE_DB) topics add katy 'katy OR perry OR roar' --group artists
	$(BIN)/hubbub --db $(SAMPLE_DB) topics add lmfao 'lmfao OR "party rock" OR shuffle' --group artists
	$(BIN)/hubbub --db $(SAMPLE_DB) dashboards add "Artists" --panel sov:artists \
		--panel volume --panel sentiment --panel top_authors --panel headlines
	@# HUBBUB_ADMIN_PASSWORD sets the owner's password; without it one is generated and printed once.
	$(BIN)/hubbub --db $(SAMPLE_DB) users add admin --role owner --password-env HUBBUB_ADMIN_PASSWORD
	@echo "== open http://127.0.0.1:$(PORT)/ and sign in as admin (password: \$$HUBBUB_ADMIN_PASSWORD, or the one printed above)"
	$(BIN)/hubbub --db $(SAMPLE_DB) serve --port $(PORT)

test: $(STAMP)
	@# Browser tests drive Debian's Chromium (Playwright cannot download browsers here).
	test -x /usr/bin/chromium || apt-get install -y chromium || (apt-get update && apt-get install -y chromium)
	@# The Spark tests (tests/spark, `-m spark`) run PySpark in local mode, which needs Java 17.
	command -v java >/dev/null || apt-get install -y openjdk-17-jre-headless || (apt-get update && apt-get install -y openjdk-17-jre-headless)
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q
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
	$(BIN)/python benchmarks/dashboard.py

clean:
	rm -rf $(VENV) *.duckdb *.duckdb.wal *.landing .pytest_cache .mypy_cache .ruff_cache
