# The two commands: `make run` and `make test` (README). Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck pytest migrate bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/wgbot migrate
	@if [ -n "$$WGBOT_TELEGRAM_TOKEN" ] || grep -qs '^WGBOT_TELEGRAM_TOKEN=.' .env; then \
		exec $(BIN)/wgbot run; \
	else \
		echo "WGBOT_TELEGRAM_TOKEN is not set: running the offline demo (see README)"; \
		exec $(BIN)/wgbot demo; \
	fi

test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/lint-imports
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/hadolint deploy/Dockerfile

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest -q

migrate: $(STAMP)
	$(BIN)/wgbot migrate

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
