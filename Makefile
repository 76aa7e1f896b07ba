# The project's commands. `make test` is what CI runs (.ci/run).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
CARGO ?= cargo
# Every step prints `step NAME: N s` when it ends: docs/testing.md's per-step figures.
STEP = scripts/step.sh $@

.PHONY: test checks demo bench fmt-check clippy architecture links moto unit conformance e2e \
	template-check stack-check package artifact tools sam-tools checkov-tools qemu

## demo: the offline demo (lightsail-local + cargo lambda's Runtime API + one invocation + a table)
demo:
	scripts/demo.sh

## test: format check, clippy with warnings denied, the architecture and the docs' links, every
## Rust test, AWS CLI conformance of lightsail-local, every events/*.json through cargo lambda,
## the templates (lint, checkov, a CloudFormation engine), sam build, and the artifact it built,
## run under qemu. Two steps at a time, one per core: the arm64 release build (sam build, the
## longest step) runs beside the debug build and the steps that need it. docs/testing.md has
## the schedule and the figures.
test:
	@start=$$(date +%s); \
	$(MAKE) --no-print-directory -j2 --output-sync=target checks; \
	echo "make test: every step passed in $$(( $$(date +%s) - start )) s"

# Listed in the order they should start: the release build first, as it takes longest.
checks: package fmt-check architecture clippy unit conformance e2e links template-check \
	stack-check artifact

fmt-check:
	$(STEP) $(CARGO) fmt --all -- --check

clippy:
	$(STEP) $(CARGO) clippy --workspace --all-targets -- -D warnings

## architecture: SDK types only in src/aws/, layers importing one way, no cycle in either crate,
## no function over 80 lines, every file named in docs/architecture.md
architecture:
	$(STEP) python3 scripts/check_architecture.py

## links: every relative link and #anchor of the README, docs/, BENCHMARKS.md and
## lightsail-local/README.md resolves (remark-validate-links from npm, offline: no URL fetched)
links:
	$(STEP) scripts/check-links.sh

# The project-local virtualenvs, each made by one step so that steps side by side never
# install into the same one.
## tools: .venv (AWS CLI, cargo-lambda with zig)
tools:
	$(STEP) scripts/tools.sh >/dev/null

## moto: .venv-moto: pytest, and moto for the S3/SNS/SQS stand-in and the stack deploys
moto:
	$(STEP) scripts/tools.sh .venv-moto requirements-moto.txt >/dev/null

sam-tools:
	$(STEP) scripts/tools.sh .venv-sam requirements-sam.txt >/dev/null

checkov-tools:
	$(STEP) scripts/tools.sh .venv-checkov requirements-checkov.txt >/dev/null

## qemu: qemu-user-static and libc6:arm64 from Debian (as root), for the artifact
qemu:
	$(STEP) scripts/artifact.sh --install

# Unoptimized, one whole invocation through the SDK's HTTP stack nests deep futures: test
# threads get the 8 MiB a main thread has (Lambda runs the release build on its main thread).
# After clippy: both use target/debug, where cargo builds one at a time.
unit: moto clippy
	RUST_MIN_STACK=8388608 $(STEP) $(CARGO) test --workspace

# After unit, whose debug build they run.
conformance: tools unit
	$(STEP) scripts/conformance.sh

e2e: tools moto unit
	$(STEP) scripts/e2e.sh

template-check: sam-tools checkov-tools
	$(STEP) scripts/template-check.sh

## stack-check: pytest (tests/py/): cfn_eval's tests, the template evaluated strictly for every
## parameter set, deployed into moto's CloudFormation once per set and read back
stack-check: sam-tools moto
	$(STEP) scripts/stack-check.sh

## package: sam build (cargo-lambda, zig): the arm64 bootstrap SAM ships, zipped and checked
package: tools sam-tools
	$(STEP) scripts/package.sh

## artifact: that bootstrap under qemu-aarch64 and a Runtime API: every event, every log level
artifact: package moto qemu
	$(STEP) scripts/artifact.sh

## bench: cold start, audit time against the latency bound, peak RSS, package size, CPU per key
bench:
	python3 bench/run.py
