# The project's commands. `make test` is what CI runs (.ci/run).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
CARGO ?= cargo
# Every step prints `step NAME: N s` when it ends: docs/testing.md's per-step figures.
STEP = scripts/step.sh $@
# Clippy's lints, warnings denied, applied as the debug build compiles the workspace's crates:
# clippy-driver as cargo's workspace wrapper, as `cargo clippy` runs it, so that one debug build
# serves clippy, the tests and the end-to-end runs (`cargo clippy` alone checks every
# dependency a second time, in check mode). Every step that builds for debug runs with it, as
# cargo keys what a wrapper built apart: without it, cargo would build the workspace again.
LINTED = RUSTC_WORKSPACE_WRAPPER="$$(rustc --print sysroot)/bin/clippy-driver" \
	CLIPPY_ARGS=-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__

.PHONY: test disk release-track other-track demo bench fmt-check clippy architecture links moto unit conformance e2e \
	template-check stack-check package artifact tools sam-tools checkov-tools qemu

## demo: the offline demo (lightsail-local + cargo lambda's Runtime API + one invocation + a table)
demo:
	scripts/demo.sh

## test: format check, clippy with warnings denied, the architecture and the docs' links, every
## Rust test, AWS CLI conformance of lightsail-local, every events/*.json through cargo lambda,
## the templates (lint, checkov, a CloudFormation engine), sam build, and the artifact it built,
## run under qemu. Two tracks side by side, one per core: the release track (sam build, the
## longest step, then the artifact it built, under qemu) and every other step, one after
## another; the release track's lines are marked [release], and a failure of the other track
## stops it. First, the disk must hold what they will write (scripts/disk.sh). docs/testing.md
## has the figures.
test:
	@start=$$(date +%s); \
	if ! $(MAKE) --no-print-directory disk; then echo "make test: FAILED: too little disk" >&2; exit 1; fi; \
	setsid $(MAKE) --no-print-directory release-track > >(sed -u 's/^/[release] /') 2>&1 & release=$$!; \
	trap 'kill -TERM -- -$$release 2>/dev/null || true' EXIT; \
	status=0; $(MAKE) --no-print-directory other-track || status=$$?; \
	if [[ $$status -ne 0 ]]; then kill -TERM -- -$$release 2>/dev/null || true; fi; \
	wait $$release || status=1; \
	elapsed=$$(( $$(date +%s) - start )); \
	if [[ $$status -ne 0 ]]; then echo "make test: FAILED after $$elapsed s" >&2; exit 1; fi; \
	echo "make test: every step passed in $$elapsed s"

release-track: package qemu artifact

## disk: the free space make test needs in each place it writes (scripts/disk.sh)
disk:
	$(STEP) scripts/disk.sh

other-track: fmt-check architecture moto clippy unit conformance e2e links template-check \
	stack-check

fmt-check:
	$(STEP) $(CARGO) fmt --all -- --check

## clippy: every target of both crates built for debug with clippy's lints, warnings denied
## (what `cargo clippy --workspace --all-targets -- -D warnings` reports)
clippy:
	$(LINTED) $(STEP) $(CARGO) test --workspace --all-targets --no-run
	@# lightsail-local's binary outside its tests (the function's is built for the tests).
	$(LINTED) $(CARGO) build --quiet -p lightsail-local

## architecture: SDK types only in src/aws/, layers importing one way, no cycle in either crate,
## no function over 80 lines, every file named in docs/architecture.md
architecture:
	$(STEP) python3 scripts/check_architecture.py

## links: every relative link and #anchor of the README, docs/, BENCHMARKS.md and
## lightsail-local/README.md resolves (remark-validate-links from npm, offline: no URL fetched)
links:
	$(STEP) scripts/check-links.sh

# The project-local virtualenvs (scripts/tools.sh installs each once per change of its
# requirements, one install at a time).
## tools: .venv (AWS CLI, cargo-lambda with zig)
tools:
	$(STEP) scripts/tools.sh

## moto: .venv-moto: pytest, and moto for the S3/SNS/SQS stand-in and the stack deploys
moto:
	$(STEP) scripts/tools.sh .venv-moto requirements-moto.txt

sam-tools:
	$(STEP) scripts/tools.sh .venv-sam requirements-sam.txt

checkov-tools:
	$(STEP) scripts/tools.sh .venv-checkov requirements-checkov.txt

## qemu: qemu-user-static and libc6:arm64 from Debian (as root), for the artifact
qemu:
	$(STEP) scripts/artifact.sh --install

# Unoptimized, one whole invocation through the SDK's HTTP stack nests deep futures: test
# threads get the 8 MiB a main thread has (Lambda runs the release build on its main thread).
unit: moto
	$(LINTED) RUST_MIN_STACK=8388608 $(STEP) $(CARGO) test --workspace

# After unit, whose debug build they run.
conformance: tools unit
	$(LINTED) $(STEP) scripts/conformance.sh

e2e: tools moto unit
	$(LINTED) $(STEP) scripts/e2e.sh

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
	$(LINTED) $(STEP) scripts/artifact.sh

## bench: cold start, audit time against the latency bound, peak RSS, package size, CPU per key
bench:
	python3 bench/run.py
