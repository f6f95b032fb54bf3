# Video visits: the two commands that matter are `make dev` and `make test`.

# One target directory outside the clone, so CI and fresh clones reuse earlier builds. Every build
# here is of the whole workspace (`--workspace` with `--bins` or more targets, which share every
# dependency's build): a subset resolves other features and would rebuild the dependencies.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/video-visits/target
CARGO ?= cargo
PORT ?= 3001
BENCH_RUNS ?= 51
FUNCTIONS := $(notdir $(wildcard functions/*))

.PHONY: help dev dev-aws local-aws invoke test test-on-local-aws test-template-and-contract test-browser web screenshots deploy-web verify-access-log lint lint-fast lint-template fmt build bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

dev: web ## run the API and the pages on 127.0.0.1:$(PORT) in demo mode (no AWS)
	$(CARGO) build --locked --workspace --bins
	PORT=$(PORT) $(CARGO_TARGET_DIR)/debug/local-server

dev-aws: web ## the same API on the AWS adapters, against the local AWS (moto) and the Chime/Connect stand-in
	$(CARGO) build --locked --workspace --bins
	.ci/local-aws run -- .ci/dev-aws $(PORT)

local-aws: ## the local AWS on fixed ports for `sam local invoke --env-vars events/local-env.json` (moto :5000, stand-in :5001)
	$(CARGO) build --locked --workspace --bins
	LOCAL_AWS_PORT=5000 LOCAL_AWS_HOST=0.0.0.0 .ci/local-aws run -- .ci/serve-local-aws

invoke: ## one function's real binary and runtime loop on one event, against the local AWS: make invoke FN=schedule-visit EVENT=events/schedule-visit.get-visit.json
	@[ -n "$(FN)" ] && [ -n "$(EVENT)" ] || { echo "usage: make invoke FN=<function> EVENT=events/<file>.json" >&2; exit 2; }
	$(CARGO) build --locked --workspace --bins
	.ci/local-aws run -- .ci/invoke $(FN) $(EVENT)

test: ## every test (local AWS started around them), schemathesis on docs/openapi.yaml, the pages in Chromium; installs moto, schemathesis, npm packages and Chromium on first use
	@# Not --all-targets: that also builds every lib and bin as a benchmark harness (bench = true by
	@# default) that nothing runs, about 50 CPU-seconds on a fresh machine.
	$(CARGO) build --locked --workspace --bins --tests --bench '*'
	@# After the compile, so that a first-use install (the npm packages) is not waited for before it.
	$(MAKE) --no-print-directory web
	@# The Rust tests keep about one core busy (moto serves one request at a time): cfn-lint and
	@# schemathesis take the other. Each one's output is printed whole when it ends.
	$(MAKE) --no-print-directory -j2 --output-sync=target test-on-local-aws test-template-and-contract
	@# Then the pages, alone: Chromium once crashed starting beside the Rust tests.
	.ci/browser

test-on-local-aws: # make test's Rust tests, the local AWS started around them
	.ci/local-aws run -- $(CARGO) test --locked --workspace

test-template-and-contract: lint-template # make test's cfn-lint, then schemathesis on docs/openapi.yaml
	.ci/fuzz

test-browser: web ## the pages in headless Chromium against make dev's server (fake camera and microphone, axe-core)
	$(CARGO) build --locked --workspace --bins
	.ci/browser

web: ## build the pages (web/ into web/dist; npm packages installed on first use)
	.ci/web build

verify-access-log: ## the access log against its seals on a deployed stack: make verify-access-log STACK=video-visits FROM=2026-12-01T00:00:00Z TO=2026-12-02T00:00:00Z
	@[ -n "$(STACK)" ] && [ -n "$(FROM)" ] && [ -n "$(TO)" ] || { echo "usage: make verify-access-log STACK=<stack> FROM=<RFC 3339> TO=<RFC 3339>" >&2; exit 2; }
	$(CARGO) build --locked --workspace --bins
	.ci/verify-access-log $(STACK) $(FROM) $(TO)

deploy-web: ## the pages to a deployed stack's site: make deploy-web STACK=video-visits (AWS CLI installed on first use)
	@[ -n "$(STACK)" ] || { echo "usage: make deploy-web STACK=<stack name>" >&2; exit 2; }
	.ci/deploy-web $(STACK)

screenshots: web ## the README's pictures, taken by the browser tests (docs/screenshots)
	$(CARGO) build --locked --workspace --bins
	SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots .ci/browser

lint-template: ## cfn-lint on template.yaml, SAM transform included (installs it on first use)
	.ci/tools lint -- cfn-lint template.yaml

build: ## release arm64 Lambda binaries with cargo lambda (target/lambda/<function>/bootstrap)
	rustup target add aarch64-unknown-linux-gnu
	AWS_LC_SYS_NO_JITTER_ENTROPY=1 .ci/tools run -- cargo lambda build --release --arm64 --locked $(foreach f,$(FUNCTIONS),--package $(f))
	@for f in $(FUNCTIONS); do ls -l $(CARGO_TARGET_DIR)/lambda/$$f/bootstrap | awk -v f=$$f '{printf "%-16s %6.1f MB\n", f, $$5/1048576}'; done

lint: lint-fast ## formatting, the pages' types, clippy (warnings as errors) (unused dependencies: a test, tests/api/dependencies.rs)
	$(CARGO) clippy --locked --workspace --all-targets -- -D warnings

lint-fast: ## formatting and the pages' types: the lint that compiles nothing (CI lints the Rust as `make test` builds it)
	$(CARGO) fmt --all --check
	.ci/web check

fmt: ## format the code
	$(CARGO) fmt --all

bench: ## hot paths in process, AWS round trips per route, cold starts of the release functions, the join page's first load (tables in docs/benchmarks.md)
	$(CARGO) bench --locked -p visits-embedded --bench hot_paths
	$(CARGO) build --locked --workspace --bins
	ROUND_TRIPS_TABLE=$(CURDIR)/docs/benchmarks.md .ci/local-aws run -- $(CARGO) test --locked --workspace -- round_trips
	AWS_LC_SYS_NO_JITTER_ENTROPY=1 $(CARGO) build --locked --release $(foreach f,$(FUNCTIONS) bench-hello,--package $(f))
	.ci/local-aws run -- .ci/cold-start $(BENCH_RUNS)
	$(MAKE) web
	FIRST_LOAD_TABLE=$(CURDIR)/docs/benchmarks.md .ci/browser node bench/first-load.mjs

clean: ## remove the build cache
	rm -rf $(CARGO_TARGET_DIR)
