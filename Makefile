# kg: make demo | make test | make bench
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STORE ?= out/demo-store
OUT ?= out

.PHONY: venv install demo test bench clean gazetteer ontology help

help:
	@echo "make demo   - create .venv, install, build the graph of data/articles, run the queries, write exports to $(OUT)/"
	@echo "make test   - same set-up, then the whole test suite"
	@echo "make bench  - benchmarks (prints a table)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall when the project metadata changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

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
	$(BIN)/kg export --store $(STORE) --format csv --output $(OUT)/exports/csv
	@echo; echo "exports written to $(OUT)/exports/"; ls -la $(OUT)/exports
	@if [ -f ../shared/eval/score.py ]; then \
	  echo; echo "== seed gold (../shared/eval/seeds.gold.json)"; \
	  $(BIN)/python ../shared/eval/score.py ../shared/eval/seeds.gold.json $(OUT)/exports/csv | tail -n 20; fi

test: install
	$(BIN)/python -m pytest -q -p no:cacheprovider

bench: install
	$(BIN)/python bench/run_all.py

gazetteer: install
	$(BIN)/python scripts/build_gazetteer.py

ontology: install
	$(BIN)/python scripts/build_ontology.py

clean:
	rm -rf $(OUT) kg-store .pytest_cache
