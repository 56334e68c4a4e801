# Two commands do everything on a fresh clone: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000

.PHONY: install run test lint format check-migrations seed clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Pinned: constraints.txt holds the exact versions CI tested.
$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev]"
	touch $@

install: $(VENV)/.installed

# Links in SMS, emails and slips point at the port actually served (unless set already).
# migrate skips the system checks so that an older database can be migrated and its catalogue
# reloaded by seed_demo; runserver then runs them all (a hollow procedure stops it).
run seed: export PUBLIC_BASE_URL ?= http://127.0.0.1:$(PORT)
run: install
	$(BIN)/python manage.py migrate --noinput --skip-checks
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py rebuild_statistics
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check-migrations: install
	$(BIN)/python manage.py makemigrations --check --dry-run

seed: install
	$(BIN)/python manage.py migrate --noinput --skip-checks
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py rebuild_statistics

clean:
	rm -rf $(VENV) var db.sqlite3
