# Two entry points for people: `make run` (the app on the local SQLite default) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8501

.PHONY: run test test-fast lint bench bench-browser clean

# Reinstall when the declared or pinned dependencies change.
$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[test]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/streamlit run app.py --server.port $(PORT) --browser.gatherUsageStats false

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q

# The linter CI runs: style, unused names, import order, likely bugs.
lint: $(STAMP)
	$(BIN)/ruff check .

# Unit tests only: seconds, no database server or browser.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q tests/unit core

# The product's speed (bench/run.py), then each page and interaction in Chromium (bench/browser.py).
bench: $(STAMP)
	$(BIN)/python bench/run.py
	$(BIN)/python bench/browser.py

bench-browser: $(STAMP)
	$(BIN)/python bench/browser.py

clean:
	rm -rf $(VENV) .data test-artifacts
