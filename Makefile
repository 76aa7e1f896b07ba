# The project's commands. `make test` is what CI runs (.ci/run).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
CARGO ?= cargo

.PHONY: test demo bench fmt-check clippy architecture moto unit conformance e2e template-check stack-check package artifact tools

## demo: the offline demo (lightsail-local + cargo lambda watch + one invocation + a table)
demo:
	scripts/demo.sh

## test: format check, clippy with warnings denied, every Rust test, AWS CLI conformance of
## lightsail-local, every events/*.json through cargo lambda, the templates (lint, checkov, a
## CloudFormation engine), sam build, and the artifact it built, run under qemu
test: fmt-check clippy architecture moto unit conformance e2e template-check stack-check package artifact

fmt-check:
	$(CARGO) fmt --all -- --check

clippy:
	$(CARGO) clippy --workspace --all-targets -- -D warnings

## architecture: SDK types only in src/aws/, layers importing one way, no function over 80 lines
architecture:
	python3 scripts/check_architecture.py

## moto: the S3/SNS/SQS stand-in the archive tests start (.venv-moto, from PyPI)
moto:
	scripts/tools.sh .venv-moto requirements-moto.txt >/dev/null

# Unoptimized, one whole invocation through the SDK's HTTP stack nests deep futures: test
# threads get the 8 MiB a main thread has (Lambda runs the release build on its main thread).
unit: moto
	RUST_MIN_STACK=8388608 $(CARGO) test --workspace

conformance:
	scripts/conformance.sh

e2e:
	scripts/e2e.sh

template-check:
	scripts/template-check.sh

## stack-check: the template evaluated strictly for every parameter set, and deployed into
## moto's CloudFormation (scripts/moto_cfn.py closes moto 5.2.5's gaps) and read back
stack-check:
	scripts/stack-check.sh

## package: sam build (cargo-lambda, zig): the arm64 bootstrap SAM ships, zipped and checked
package:
	scripts/package.sh

## artifact: that bootstrap under qemu-aarch64 and a Runtime API: every event, every log level
artifact:
	scripts/artifact.sh

## bench: cold start, audit time against the latency bound, peak RSS, package size, CPU per key
bench:
	python3 bench/run.py

## tools: the project-local Python tools (.venv: awscli, cargo-lambda; .venv-sam, .venv-checkov,
## .venv-moto are made by the steps that use them)
tools:
	scripts/tools.sh >/dev/null
