# The project's commands. `make test` is what CI runs (.ci/run).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
CARGO ?= cargo

.PHONY: test demo bench fmt-check clippy unit conformance e2e template-check package tools

## demo: the offline demo (lightsail-local + cargo lambda watch + one invocation + a table)
demo:
	scripts/demo.sh

## test: format check, clippy with warnings denied, every Rust test, AWS CLI conformance of
## lightsail-local, every events/*.json through cargo lambda, the templates, and the package
test: fmt-check clippy unit conformance e2e template-check package

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

template-check:
	scripts/template-check.sh

## package: the deployment package, an arm64 bootstrap zipped, built by cargo-lambda (zig)
package:
	scripts/package.sh

## bench: cold start, audit time against the latency bound, peak RSS, package size, CPU per key
bench:
	python3 bench/run.py

## tools: the project-local Python tools (.venv: awscli, cargo-lambda)
tools:
	scripts/tools.sh >/dev/null
