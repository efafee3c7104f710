# The README's commands: `make run` and `make test`; the rest are for developers.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PO_FILES := $(wildcard locales/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: run test lint bench locales sandbox install migrate clean lock

$(PY):
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml requirements.lock | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --constraint requirements.lock -e '.[dev]'
	touch $(STAMP)

locales/%/LC_MESSAGES/messages.mo: locales/%/LC_MESSAGES/messages.po $(STAMP)
	$(VENV)/bin/pybabel compile --statistics -D messages -i $< -o $@

install: $(STAMP) $(MO_FILES)

migrate: install
	$(PY) -m bot migrate

# The bot exits with 2 after a problem it has explained in one sentence (no token, a refused
# token, an unreachable API). For `make run`, a person at a terminal, that sentence is the whole
# answer, so make ends there quietly (status 0) rather than adding its own "Error 2" under it;
# scripts and service managers run `python -m bot run` and still get the 2. A crash stays a crash.
run: migrate
	@$(PY) -m bot run || test $$? -eq 2

test: install
	$(PY) -m pytest -q

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

bench: install
	$(PY) -m bench

# options pass through: make sandbox ARGS="--language de --start 2026-11-23T09:00"
ARGS ?=
sandbox: install
	@$(PY) -m bot sandbox $(ARGS)

# extract the messages from the code, merge them into every catalog, compile
locales: $(STAMP)
	$(VENV)/bin/pybabel extract -F babel.cfg --no-location --sort-output -k N_ \
		-k ngettext:1,2 -k pgettext:1c,2 --project=Afterview --omit-header \
		-o locales/messages.pot .
	for lang in en es de fr pt_BR ru uk; do \
		test -f locales/$$lang/LC_MESSAGES/messages.po || $(VENV)/bin/pybabel init \
			-D messages -i locales/messages.pot -d locales -l $$lang; \
	done
	$(VENV)/bin/pybabel update -D messages -i locales/messages.pot -d locales \
		--no-fuzzy-matching --ignore-obsolete --width 100
	$(PY) -m bot.catalogs fill-en
	$(MAKE) $(MO_FILES)
	$(PY) -m bot.catalogs check || true

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache

# pin what is installed now (after `pip install -e '.[dev]'` of new dependencies) for everyone
lock: $(STAMP)
	{ sed -n '1,2p' requirements.lock; $(PY) -m pip freeze --exclude-editable | grep -v '^afterview'; } \
		> requirements.lock.new && mv requirements.lock.new requirements.lock
