# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
# Both create the virtual environment in .venv and install the pinned requirements first.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
ENV ?= dev

.PHONY: run test lint format eval bench load package install install-dev clean

run: $(VENV)/.runtime ## serve the bot on PORT (default 3978)
	$(PY) -m bot

test: $(VENV)/.dev ## lint, type-check and run every test
	tests/system/install-packages
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest

eval: $(VENV)/.runtime ## answer quality on the development set
	$(PY) -m intents eval eval/dev_questions.yaml --min-accuracy 0.95 --max-wrong 0.02

bench: $(VENV)/.runtime ## matcher latency and memory (figures go in the README)
	$(PY) -m bench.matcher

load: $(VENV)/.runtime ## end-to-end load: FAQ bot vs the stock echo bot, fake connector on loopback
	$(PY) -m bench.load

package: $(VENV)/.created ## Teams app package: deployment/build/appPackage.$(ENV).zip (ENV=dev)
	$(PY) -m deployment.package --env $(ENV)

format: $(VENV)/.dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

$(VENV)/.created:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	touch $@

$(VENV)/.runtime: requirements.txt | $(VENV)/.created
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(VENV)/.created
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(VENV)/.runtime $@

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
