# Two commands: `make run` (app on the demo data) and `make test` (the whole suite).
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell sha256sum requirements.txt | cut -c1-12)
PORT   ?= 8501

.PHONY: run test demo bench clean

$(STAMP): requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

run: $(STAMP)
	$(PY) -c "import sys; from etl.paths import db_path; sys.exit(0 if db_path().exists() else 1)" \
		|| $(PY) -m etl demo
	$(PY) -c "import sys; from etl.build import built_by_other_steps; from etl.paths import db_path; \
		sys.exit(1 if built_by_other_steps(db_path()) else 0)" || $(PY) -m etl rebuild
	$(PY) -m streamlit run app.py --server.port $(PORT) --server.headless true

# Two cores: everything but the browser tests on two workers (a file per worker, so module fixtures are
# built once), then the browser tests alone, so a Streamlit server and chromium never share the machine
# with a CPU-bound test and wait past their timeouts.
test: $(STAMP)
	$(PY) -m pytest -q -n 2 --dist loadfile -m "not browser" --durations=15
	$(PY) -m pytest -q -m browser --durations=10

demo: $(STAMP)
	$(PY) -m etl demo

bench: $(STAMP)
	$(PY) -m bench etl

clean:
	rm -rf data/raw data/demo data/warehouse.duckdb* .pytest_cache
