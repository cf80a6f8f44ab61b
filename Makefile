# kg: make demo | make test | make bench
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STORE ?= out/demo-store
OUT ?= out

.PHONY: venv install test-deps browser demo test test-fast bench clean gazetteer ontology help

help:
	@echo "make demo   - create .venv, install, build the graph of data/articles, run the queries, write exports to $(OUT)/"
	@echo "make test   - same set-up (plus npm readers in tests/graphology and Debian's chromium), then the whole test suite"
	@echo "make test-fast - the tests that load no spaCy model and start no process (under 2 minutes)"
	@echo "make bench  - benchmarks, one table of figures and goals (~20 min; BENCH_ARGS=--quick: a few minutes)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall when the project metadata changes.
$(VENV)/.installed: pyproject.toml setup.py | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

# Test-only tools from outside PyPI. The npm readers of tests/graphology (graphology-graphml,
# graphology-gexf: Gephi Lite's parsers), locked by its package-lock.json:
GRAPHOLOGY := tests/graphology/node_modules/.installed
APT_INSTALL := DEBIAN_FRONTEND=noninteractive apt-get install -y -qq
$(GRAPHOLOGY): tests/graphology/package-lock.json
	@if ! command -v npm >/dev/null && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "make: installing Debian's nodejs and npm"; apt-get update -qq && $(APT_INSTALL) nodejs npm >/dev/null; fi
	@if command -v npm >/dev/null; then \
	  (cd tests/graphology && npm ci --no-audit --no-fund --loglevel=error) && touch $@; \
	else echo "make: no npm: the graphology reader tests will be skipped"; fi

# Debian's chromium for the browser test of `kg viz` (Playwright drives it; it downloads no browser).
browser:
	@if command -v chromium >/dev/null || command -v chromium-browser >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "make: installing Debian's chromium (browser test of kg viz)"; \
	  apt-get update -qq && $(APT_INSTALL) chromium fonts-dejavu-core >/dev/null; \
	else echo "make: no chromium and not root to install it: the browser test of kg viz will be skipped"; fi

test-deps: install $(GRAPHOLOGY) browser

demo: install
	rm -rf $(STORE)
	$(BIN)/kg build data/articles --store $(STORE)
	$(BIN)/kg stats --store $(STORE)
	@for q in queries/*.rq; do \
	  name=$$(basename $$q .rq); \
	  echo; echo "== $$name: $$(grep -m1 '^#+ summary:' $$q | cut -d: -f2-)"; \
	  $(BIN)/kg query --store $(STORE) --name $$name --param entity="United States" --param speaker="John Kirby" \
	      --param a="United States" --param b="ceasefire" --format table | head -n 15 || exit 1; \
	done
	mkdir -p $(OUT)/exports
	@for f in ttl nt nq trig jsonld graphml gexf; do \
	  $(BIN)/kg export --store $(STORE) --format $$f --output $(OUT)/exports/graph.$$f || exit 1; \
	done
	$(BIN)/kg export --store $(STORE) --format gexf --graph cooccurrence --output $(OUT)/exports/cooccurrence.gexf
	$(BIN)/kg export --store $(STORE) --format csv --output $(OUT)/exports/csv
	$(BIN)/kg export --store $(STORE) --format csv --no-open --output $(OUT)/exports/csv-scored
	$(BIN)/kg viz --store $(STORE) --output $(OUT)/exports/graph.html
	$(BIN)/kg viz --store $(STORE) --output $(OUT)/exports/graph.png
	@echo; echo "exports written to $(OUT)/exports/"; ls -la $(OUT)/exports
	@if [ -f ../shared/eval/score.py ]; then \
	  echo; echo "== seed gold (../shared/eval/seeds.gold.json)"; \
	  $(BIN)/python ../shared/eval/score.py ../shared/eval/seeds.gold.json $(OUT)/exports/csv-scored | tail -n 20; fi

test: test-deps
	$(BIN)/python -m pytest -q -p no:cacheprovider

# markers and lanes: tests/conftest.py
test-fast: install
	$(BIN)/python -m pytest -q -p no:cacheprovider --fast

# make bench: ~20 min on 2 cores; make bench BENCH_ARGS=--quick: a few minutes, smaller N
$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test,bench,dask]"
	touch $@

bench: install $(VENV)/.installed-bench
	$(BIN)/python bench/run_all.py $(BENCH_ARGS)

gazetteer: install
	$(BIN)/python scripts/build_gazetteer.py

ontology: install
	$(BIN)/python scripts/build_ontology.py

clean:
	rm -rf $(OUT) kg-store .pytest_cache tests/graphology/node_modules
