# LegalAid Chat. Quick start: `make run` (the product) and `make test` (every test suite).
# Both create the two environments when needed: .venv-bot (Python 3.10, Rasa) and .venv-app
# (Python >= 3.11, the web app). Rasa's pins never reach the app environment.

SHELL := /bin/bash
.DEFAULT_GOAL := help

BOT_VENV := .venv-bot
APP_VENV := .venv-app
BOT_PY := $(BOT_VENV)/bin/python
APP_PY := $(APP_VENV)/bin/python
BOT_STAMP := $(BOT_VENV)/.installed
APP_STAMP := $(APP_VENV)/.installed
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export RASA_TELEMETRY_ENABLED := false
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export PYTHONPATH := $(CURDIR)

.PHONY: help run test system-deps envs model migrate seed admin eval-nlu retrain rollback report simulate bench \
        test-app test-bot test-stories test-integration validate bot-lock app-lock clean

help:
	@echo "make run    - install what is missing, train if needed, start everything on 127.0.0.1"
	@echo "make test   - install what is missing, run every test suite"
	@echo "other: model migrate admin eval-nlu DATA=file.tsv retrain rollback report simulate bench clean"

# --- environments -------------------------------------------------------------------------
$(BOT_STAMP): bot/requirements.in bot/requirements.lock
	@PY310=$$(scripts/find_python310.sh) || exit 1; \
	  [ -x $(BOT_PY) ] || "$$PY310" -m venv $(BOT_VENV)
	$(BOT_PY) -m pip install --quiet --upgrade "pip<25"
	$(BOT_PY) -m pip install --quiet -r bot/requirements.in -c bot/requirements.lock
	@touch $@

$(APP_STAMP): pyproject.toml requirements-app.lock
	@python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || \
	  { echo "The app needs Python 3.11 or newer as python3."; exit 1; }
	[ -x $(APP_PY) ] || python3 -m venv $(APP_VENV)
	$(APP_PY) -m pip install --quiet -e '.[test]' -c requirements-app.lock
	@touch $@

envs: $(BOT_STAMP) $(APP_STAMP)

bot-lock: $(BOT_STAMP)
	@{ echo "# Every package of the bot environment, pinned (pip constraints file). Regenerate with"; \
	   echo "# 'make bot-lock' after changing requirements.in."; $(BOT_PY) -m pip freeze; } > bot/requirements.lock

app-lock: $(APP_STAMP)
	@{ echo "# Every package of the app environment, pinned (pip constraints file). Regenerate with"; \
	   echo "# 'make app-lock' after changing pyproject.toml."; $(APP_PY) -m pip freeze | grep -v '^-e'; } > requirements-app.lock

# --- model and database ------------------------------------------------------------------
model: $(BOT_STAMP)
	$(BOT_PY) scripts/train_bot.py

migrate: $(APP_STAMP)
	$(APP_PY) -m alembic -c handoff/alembic.ini upgrade head

seed: migrate
	$(APP_PY) -m handoff.cli seed

admin: migrate
	$(APP_PY) -m handoff.cli create-admin

# --- the product -------------------------------------------------------------------------
run: envs model seed
	$(APP_PY) scripts/stack.py run

# --- tests -------------------------------------------------------------------------------
# System packages (Chromium, docker-compose, PostgreSQL) and a local Postgres for the DB tests.
system-deps:
	@scripts/install_system_packages.sh
	@if ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 && [ -z "$$TEST_POSTGRES_URL" ]; then \
	  bash scripts/start_test_postgres.sh >/dev/null && echo "PostgreSQL for tests on 127.0.0.1:5432"; fi

test: envs system-deps
	@if [ -z "$$TEST_POSTGRES_URL" ] && ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then \
	  export TEST_POSTGRES_URL=postgresql+psycopg://legalaid:legalaid@127.0.0.1:5432/legalaid_test; fi; \
	status=0; \
	$(MAKE) --no-print-directory validate || status=1; \
	$(MAKE) --no-print-directory model || status=1; \
	$(MAKE) --no-print-directory test-app || status=1; \
	$(MAKE) --no-print-directory test-bot || status=1; \
	$(MAKE) --no-print-directory test-stories || status=1; \
	$(MAKE) --no-print-directory test-integration || status=1; \
	[ $$status -eq 0 ] && echo "make test: every suite passed" || echo "make test: FAILURES (see above)"; \
	exit $$status

test-app: $(APP_STAMP)
	$(APP_PY) -m pytest -q tests --ignore=tests/bot --ignore=tests/bot_stories --ignore=tests/integration -m "not integration"

test-bot: $(BOT_STAMP)
	$(BOT_PY) -m pytest -q tests/bot

validate: $(BOT_STAMP)
	$(BOT_PY) -m rasa data validate --domain bot/domain.yml --config bot/config.yml \
	  --data bot/data nlu_data/topics nlu_data/conversation.yml $$(test -d nlu_data/safety && echo nlu_data/safety) \
	  $$(test -d nlu_data/from_logs && echo nlu_data/from_logs)

test-stories: $(BOT_STAMP)
	$(BOT_PY) -m pytest -q tests/bot_stories

test-integration: envs
	$(APP_PY) -m pytest -q tests/integration
	$(APP_PY) -m pytest -q tests/reliability -m integration

# --- NLU quality, retraining, analytics --------------------------------------------------
eval-nlu: $(BOT_STAMP)
	@test -n "$(DATA)" || { echo "usage: make eval-nlu DATA=path.tsv [OUT=var/eval]"; exit 2; }
	$(BOT_PY) scripts/eval_nlu.py --data "$(DATA)" --out "$(or $(OUT),var/eval)"

# Benchmarks write their results to bench/results/*.md (load_chat needs `make run` in another shell).
bench: envs model
	$(APP_PY) -m pip install --quiet -e '.[bench]' -c requirements-app.lock
	$(BOT_PY) bench/kb_retrieval.py
	$(APP_PY) bench/kb_scale.py
	$(BOT_PY) bench/nlu_speed.py
	$(BOT_PY) bench/nlu_thresholds.py
	$(BOT_PY) bench/several_topics.py
	$(BOT_PY) bench/safety_guardrail.py
	$(APP_PY) bench/lead_writes.py
	$(BOT_PY) bench/compare_pipelines.py --folds 3

# Inbox labels → nlu_data/from_logs → candidate model → gate on nlu_data/test → promote (hot-load).
retrain: envs migrate
	$(APP_PY) scripts/retrain.py $(ARGS)

rollback: $(APP_STAMP)
	$(APP_PY) scripts/model_registry.py rollback $(MODEL)

report: $(APP_STAMP)
	$(APP_PY) -m analytics.report --out var/report $(ARGS)

simulate: $(APP_STAMP)
	$(APP_PY) scripts/simulate_conversations.py $(ARGS)

clean:
	rm -rf var test-artifacts
