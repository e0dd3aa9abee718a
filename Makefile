# Docent's tasks. `make help` lists them.
SHELL := /bin/bash
GO ?= go
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
# The BEIR collections make eval measures (SciFact, NFCorpus): CI keeps them beside the clone.
BEIR ?= ../shared/eval

.DEFAULT_GOAL := help

.PHONY: help
help: ## List the tasks
	@grep -hE '^[a-z/]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

.PHONY: run
run: build ## Start PostgreSQL (local, under .data/), index the sample handbook, serve http://localhost:8080
	@scripts/ensure-wordvectors.sh
	@scripts/ensure-tesseract.sh
	@scripts/run.sh

.PHONY: build
build: ## Build bin/server and bin/indexer
	@$(GO) build -o bin/ ./cmd/...

.PHONY: test
test: ## Run every test against a real PostgreSQL with pgvector (local cluster unless TEST_DATABASE_URL is set) and Chromium
	@scripts/ensure-chromium.sh
	@scripts/ensure-tesseract.sh
	@scripts/ensure-wordvectors.sh
	@url="$${TEST_DATABASE_URL:-$$DATABASE_URL}"; \
	if [ -z "$$url" ]; then url=$$(scripts/localdb.sh docent_test) || exit 1; fi; \
	TEST_DATABASE_URL="$$url" $(GO) test -count=1 ./...

.PHONY: test/race
test/race: ## Run every test with the race detector
	@url="$${TEST_DATABASE_URL:-$$DATABASE_URL}"; \
	if [ -z "$$url" ]; then url=$$(scripts/localdb.sh docent_test) || exit 1; fi; \
	TEST_DATABASE_URL="$$url" $(GO) test -race -count=1 ./...

.PHONY: eval
eval: build ## Index every dev set into a database of its own, compare each mode's nDCG@10 and Recall@100 with testdata/eval-expected.json (UPDATE=1 rewrites it, README=1 rewrites README's quality table; BEIR=DIR, default ../shared/eval)
	@url="$${TEST_DATABASE_URL:-$$DATABASE_URL}"; \
	if [ -z "$$url" ]; then url=$$(scripts/localdb.sh postgres) || exit 1; fi; \
	DATABASE_URL="$$url" bin/evalsuite -beir "$(BEIR)" $(if $(UPDATE),-update) $(if $(README),-readme README.md) $(EVAL_ARGS)

.PHONY: bench
bench: ## Run the Go benchmarks and cmd/bench (about 45 min; BENCH_ARGS="-only store" for a part; REALTEXT=DIR: the saturation curve on that folder, built by `make corpus`, 25 min more); rewrites BENCHMARKS.md
	@url="$${TEST_DATABASE_URL:-$$DATABASE_URL}"; \
	if [ -z "$$url" ]; then url=$$(scripts/localdb.sh docent_test) || exit 1; fi; \
	TEST_DATABASE_URL="$$url" $(GO) test -run '^$$' -bench . -benchmem ./... && \
	DATABASE_URL="$$url" $(GO) run ./cmd/bench $(if $(REALTEXT),-curve-folder $(REALTEXT) -curve-plot BENCHMARKS-saturation-realtext.svg) $(BENCH_ARGS)

.PHONY: corpus
corpus: ## Build REALTEXT (default .data/realtext): about 35,000 files of real text from this machine (BEIR abstracts, manual pages, package documentation) for `make bench REALTEXT=...`
	scripts/corpus-realtext.sh $(or $(REALTEXT),.data/realtext)

.PHONY: fuzz
fuzz: ## Run each fuzz target for FUZZTIME (default 30s); make test runs their seed corpora
	@for t in "FuzzParse ./internal/ingest" "FuzzCitations ./internal/answer" "FuzzQueryText ./internal/retrieve"; do \
		set -- $$t; echo "fuzzing $$1"; $(GO) test -run '^$$' -fuzz "^$$1$$" -fuzztime $${FUZZTIME:-30s} $$2 || exit 1; \
	done

.PHONY: lint
lint: ## gofmt, go vet and staticcheck
	@out=$$(gofmt -l $$(git ls-files '*.go' | grep -v '_templ.go$$')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

.PHONY: generate
generate: ## Regenerate templ components (web/*_templ.go)
	$(GO) tool templ generate -path web

.PHONY: db
db: ## Start the local PostgreSQL and print its DATABASE_URL
	@scripts/localdb.sh docent

.PHONY: stop
stop: ## Stop the local PostgreSQL
	@scripts/localdb.sh stop

.PHONY: clean
clean: ## Remove built binaries (the database in .data/ stays; delete it by hand to start over)
	rm -rf bin/
