# Steel Defect Lab — the front door. `make` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

SEED ?= 42
STEEL_PROFILE ?= quick
export SEED STEEL_PROFILE
export JUPYTER_PATH := $(CURDIR)/environment/jupyter
TSX := node --import tsx
SMOKE_OUT := outputs/ci-smoke

.PHONY: help setup native doctor data notebooks reproduce test unit-test smoke-test lab bench weights clean experiment-neu export inspect

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | awk -F'\t' '{printf "  make %-12s %s\n", $$1, $$2}'

setup: ## install npm dependencies, Jupyter (apt) if missing, and the git filter that keeps notebook outputs local
	@bash environment/setup.sh base

native: ## (re)build the oneDNN convolution addon (apt libdnnl-dev + g++; part of setup, optional)
	@bash environment/build-native.sh --force

doctor: setup ## print backend, versions, Jupyter and kernel status, and how to fix what is missing
	@$(TSX) src/cli/doctor.ts

data: setup ## generate the embedded synthetic data (only when data_raw/ has no real data)
	@$(TSX) src/cli/generate-data.ts

notebooks: setup ## execute notebooks/NN_*.ipynb headlessly (ONLY=00,01 to pick) and render HTML reports
	@$(TSX) src/cli/reproduce.ts $(if $(ONLY),--only $(ONLY))

reproduce: setup ## the main job: data if needed, every notebook with seed 42, reports in outputs/reports
	@$(TSX) src/cli/reproduce.ts

test: ## the test suite: unit tests, then every notebook on the smoke profile, then the reports in Chromium
	@bash environment/setup.sh base test
	@$(MAKE) --no-print-directory unit-test smoke-test

unit-test: ## unit tests only (node's test runner; starts a private PostgreSQL for the HPO storage tests)
	@eval "$$(bash environment/postgres.sh)" && npm test --silent

smoke-test: ## notebooks on the smoke profile, twice (metrics must be byte-identical), reports checked in Chromium
	@rm -rf $(SMOKE_OUT)
	@STEEL_PROFILE=smoke STEEL_OUTPUTS=$(SMOKE_OUT)/run1 $(TSX) src/cli/reproduce.ts
	@STEEL_PROFILE=smoke STEEL_OUTPUTS=$(SMOKE_OUT)/run2 $(TSX) src/cli/reproduce.ts --no-html
	@SMOKE_DIR=$(SMOKE_OUT) node --import tsx --test --test-reporter=spec test/e2e/*.e2e.ts

lab: setup ## start JupyterLab (or the classic Notebook) with the project's TypeScript kernel (LAB_PORT=8888)
	@bash environment/lab.sh

bench: setup ## benchmarks (not tests): speed ratios measured side by side, JSON in outputs/bench
	@bash environment/setup.sh bench
	@npm run bench --silent

weights: ## download Keras ImageNet ResNet50 (notop) weights — needs internet; optional
	@bash environment/get-weights.sh

clean: ## delete everything generated under outputs/
	@find outputs -mindepth 1 -not -name .gitkeep -delete

experiment-neu: setup ## NEU accuracy from scratch on real images (../shared/data/neu-det or DATA_ROOT=...)
	@$(TSX) src/cli/experiment-neu.ts $(if $(DATA_ROOT),--data-root $(DATA_ROOT))

export: setup ## a trained run → TensorFlow.js model + metadata (RUN=DIR OUT=DIR QUANTIZE=none|float16|uint8 DATA_ROOT=DIR)
	@$(TSX) src/cli/export.ts --checkpoint $(or $(RUN),outputs/models/experiment_neu_real) --out $(or $(OUT),outputs/export/model) $(if $(QUANTIZE),--quantize $(QUANTIZE)) $(if $(DATA_ROOT),--data-root $(DATA_ROOT))

inspect: setup ## build the offline inspection page for an exported model and serve it on 127.0.0.1 (MODEL=DIR, HOST=, PORT=)
	@$(TSX) src/cli/inspect.ts --model $(or $(MODEL),outputs/export/model) $(if $(HOST),--host $(HOST)) $(if $(PORT),--port $(PORT))
