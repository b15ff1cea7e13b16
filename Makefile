# The two commands of the README:  make dev  (the whole service on 127.0.0.1)  and  make test  (every check).
# Both install what they need (infra/scripts/bootstrap). The build-* targets at the end are SAM's makefile builder.
SHELL := /bin/bash
PY := .venv/bin/python
export SAM_CLI_TELEMETRY := 0
export AWS_EC2_METADATA_DISABLED := true
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: dev test venv lint format typecheck security unit integration soak-small soak e2e infra-check build clean \
	openapi schemas events redrive bench

dev: venv
	$(PY) -m local_stack

test: venv lint typecheck security unit integration soak-small e2e infra-check build

venv:
	@infra/scripts/bootstrap dev

lint: venv
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports --no-cache

format: venv
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

typecheck: venv
	.venv/bin/mypy layers/gmail_integration/gmail_integration infra/contracts

# bandit fails on high-severity findings in the package; pip-audit checks the layer's lock, or says why it could not.
security: venv
	.venv/bin/bandit -q -r layers/gmail_integration/gmail_integration --severity-level high
	$(PY) infra/scripts/audit_locked.py

unit: venv
	$(PY) -m pytest tests/unit -q

integration: venv
	$(PY) -m pytest tests/integration -q

# Figures, not tests: benchmarks under bench/ (not part of make test).
bench: venv
	$(PY) bench/cold_init.py
	$(PY) bench/classifier_accuracy.py
	$(PY) bench/recovery_cost.py
	$(PY) bench/schedule_fanout.py
	$(PY) bench/send_cost.py
	$(PY) bench/poll_cost.py

# The fault-and-load soak (bench/soak): its small size runs in make test; make soak N=5000 [SEED=...] for the big one.
N ?= 500
soak-small: venv
	$(PY) -m pytest tests/soak -q

soak: venv
	$(PY) bench/soak/run.py --emails $(N) $(if $(SEED),--seed $(SEED))

e2e: venv
	@infra/scripts/bootstrap browser
	$(PY) -m pytest tests/e2e -q

infra-check: venv
	@infra/scripts/bootstrap sam
	$(PY) -m pytest tests/infrastructure -q

build: venv
	@infra/scripts/bootstrap sam
	.venv-sam/bin/sam build

# The published contracts, generated from the code (infra/contracts); tests/unit/contracts fail until they are rerun.
openapi: venv
	$(PY) -m contracts openapi

schemas: venv
	$(PY) -m contracts schemas

# The sample events under events/ (sam local invoke <Function> -e events/<file>.json).
events: venv
	$(PY) -m contracts events

# A dead-letter queue back to its source with SQS's message move task (docs/deploy.md), with your AWS credentials.
QUEUE ?=
STAGE ?= dev
redrive: venv
	$(PY) infra/scripts/redrive.py $(QUEUE) --stage $(STAGE)

clean:
	rm -rf .aws-sam .local .pytest_cache .mypy_cache .ruff_cache

# ---------------------------------------------------------------------------------------------------------------------
# SAM's makefile builder (template Metadata: BuildMethod: makefile, ContextPath: .). For each resource `sam build`
# copies its CodeUri/ContentUri to a temporary directory and runs `make --makefile <this file> build-<LogicalId>`
# there, with ARTIFACTS_DIR set to the directory it packages. No Docker: the layer's wheels are chosen for the
# Lambda platform (python3.13 on arm64) whatever this machine runs, from a hashed lock compiled for that platform
# (pip would evaluate environment markers for the host; uv resolves for the target).
.PHONY: lock checkov-venv build-SharedLayer build-ApiFunction build-OAuthCallbackFunction build-InternalApiFunction \
	build-SendEmailFunction build-SchedulePollsFunction build-PollMailboxFunction build-GmailPushFunction

BUILD_ROOT := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
# Any pip works for a cross-platform --target install; prefer the SAM venv's (bootstrap sam makes it) over the host's.
LAYER_PYTHON ?= $(or $(wildcard $(BUILD_ROOT)/.venv-sam/bin/python),python3)
# /opt is read-only on Lambda, so a layer without bytecode compiles itself from source at every cold start (send_email
# imported in 1,236 ms instead of 551). The layer ships pycs for the runtime's Python, hash-based and unchecked so
# that the file times the zip keeps do not matter; this needs a 3.13 interpreter (the dev venv's by default).
LAYER_COMPILE_PYTHON ?= $(or $(wildcard $(BUILD_ROOT)/.venv/bin/python3.13),python3.13)
# tests/infrastructure builds a twin of the layer for the host's platform (LAYER_PLATFORM) to import it.
LAYER_PLATFORM ?= manylinux2014_aarch64
LAYER_PIP_FLAGS := --platform $(LAYER_PLATFORM) --python-version 3.13 --implementation cp --only-binary=:all: \
	--no-deps --require-hashes --no-compile --disable-pip-version-check --quiet
LAYER_LOCK := layers/gmail_integration/requirements.lock.txt

# tests/infrastructure run checkov from its own venv; without this they could only skip it.
infra-check: checkov-venv
checkov-venv:
	@infra/scripts/bootstrap checkov

# Recompile the layer's lock after changing [project].dependencies in pyproject.toml.
lock: venv
	.venv/bin/uv pip compile pyproject.toml --quiet --python-version 3.13 --python-platform aarch64-manylinux2014 \
		--generate-hashes --custom-compile-command "make lock" -o $(LAYER_LOCK)

# cwd is a copy of layers/gmail_integration. The runtime already ships boto3 and its botocore, so the copy that
# aws-xray-sdk pulls in goes (it would shadow the runtime's and drift from its boto3); of the ~600 Google discovery
# documents only Gmail's is used (build(..., static_discovery=True)). Together that is ~140 MB of the unpruned 180.
build-SharedLayer:
	$(LAYER_PYTHON) -m pip install $(LAYER_PIP_FLAGS) --target "$(ARTIFACTS_DIR)/python" -r requirements.lock.txt
	cp -R gmail_integration "$(ARTIFACTS_DIR)/python/"
	rm -rf "$(ARTIFACTS_DIR)/python/bin" "$(ARTIFACTS_DIR)/python/botocore" "$(ARTIFACTS_DIR)"/python/botocore-*.dist-info
	find "$(ARTIFACTS_DIR)/python/googleapiclient/discovery_cache/documents" -name '*.json' ! -name gmail.v1.json -delete
	find "$(ARTIFACTS_DIR)/python" -name __pycache__ -type d -prune -exec rm -rf {} +
	$(LAYER_COMPILE_PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 13) and "layer bytecode needs Python 3.13")'
	$(LAYER_COMPILE_PYTHON) -m compileall -q -j 0 --invalidation-mode unchecked-hash \
		-s "$(ARTIFACTS_DIR)/python" -p /opt/python "$(ARTIFACTS_DIR)/python"

# cwd is a copy of functions/<name>: thin handlers, their code comes from the layer.
build-ApiFunction build-OAuthCallbackFunction build-InternalApiFunction build-SendEmailFunction \
build-SchedulePollsFunction build-PollMailboxFunction build-GmailPushFunction:
	cp ./*.py "$(ARTIFACTS_DIR)/"
