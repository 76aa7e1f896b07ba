# The project's commands. `make test` is what CI runs (.ci/run).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
CARGO ?= cargo

.PHONY: test demo fmt-check clippy unit conformance e2e tools

## demo: the offline demo (lightsail-local + cargo lambda watch + one invocation + a table)
demo:
	scripts/demo.sh

## test: format check, clippy with warnings denied, every Rust test, AWS CLI conformance of
## lightsail-local, and every events/*.json through cargo lambda
test: fmt-check clippy unit conformance e2e

fmt-check:
	$(CARGO) fmt --all -- --check

clippy:
	$(CARGO) clippy --workspace --all-targets -- -D warnings

unit:
	$(CARGO) test --workspace

conformance:
	scripts/conformance.sh

e2e:
	scripts/e2e.sh

## tools: the project-local Python tools (.venv: awscli, cargo-lambda)
tools:
	scripts/tools.sh >/dev/null
