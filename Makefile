# Engage — the two commands of the README's quick start, and their helpers.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?=
TRANSLATIONS := engage/translations

.PHONY: run test fuzz install dev translations extract-messages migrate lint format clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

dev: $(VENV)/.installed-dev

translations: install
	$(BIN)/pybabel compile --statistics -d $(TRANSLATIONS) 2>&1 | grep -v '^$$' || true
	@test -f $(TRANSLATIONS)/de/LC_MESSAGES/messages.mo

extract-messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o $(TRANSLATIONS)/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --no-fuzzy-matching

migrate: install
	ENGAGE_ENV=$${ENGAGE_ENV:-development} $(BIN)/flask --app engage db upgrade

run: translations
	mkdir -p instance
	ENGAGE_ENV=development $(BIN)/flask --app engage db upgrade
	ENGAGE_ENV=development $(BIN)/flask --app engage seed-demo --if-empty
	@echo "Engage runs on http://$(HOST):$(PORT)/ (stop with Ctrl+C)"
	ENGAGE_ENV=development $(BIN)/flask --app engage run --host $(HOST) --port $(PORT)

lint: dev
	$(BIN)/ruff check engage tests config.py gunicorn.conf.py migrations
	$(BIN)/ruff format --check engage tests config.py gunicorn.conf.py

format: dev
	$(BIN)/ruff format engage tests config.py
	$(BIN)/ruff check --fix engage tests config.py

test: dev translations lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Many more examples than CI's small profile: arbitrary input into every form and list filter.
fuzz: dev translations
	ENGAGE_FUZZ_PROFILE=large $(BIN)/python -m pytest tests/security/test_fuzz.py $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
