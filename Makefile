# The two commands of the README:  make dev  (the whole service on 127.0.0.1)  and  make test  (every check).
# Both install what they need (infra/scripts/bootstrap). The build-* targets at the end are SAM's makefile builder.
SHELL := /bin/bash
PY := .venv/bin/python
export SAM_CLI_TELEMETRY := 0
export AWS_EC2_METADATA_DISABLED := true
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: dev test venv lint format typecheck unit integration e2e infra-check build clean

dev: venv
	$(PY) -m local_stack

test: venv lint typecheck unit integration e2e infra-check build

venv:
	@infra/scripts/bootstrap dev

lint: venv
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

format: venv
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

typecheck: venv
	.venv/bin/mypy layers/gmail_integration/gmail_integration

unit: venv
	$(PY) -m pytest tests/unit -q

integration: venv
	$(PY) -m pytest tests/integration -q

e2e: venv
	@infra/scripts/bootstrap browser
	$(PY) -m pytest tests/e2e -q

infra-check: venv
	@infra/scripts/bootstrap sam
	$(PY) -m pytest tests/infrastructure -q

build: venv
	@infra/scripts/bootstrap sam
	.venv-sam/bin/sam build

clean:
	rm -rf .aws-sam .local .pytest_cache .mypy_cache .ruff_cache
