# The Go shared-state playground.
#   make serve   build the WebAssembly and serve the page (ADDR=127.0.0.1:8080)
#   make dist    the static bundle in dist/ (DIST=...): the page with a .br and
#                a .gz beside each text or wasm file, for any static host
#   make test    every test: vet, Go tests with -race, the js/wasm tests under
#                Node, the page's logic under node --test, and the end-to-end
#                tests in headless Chromium
#
# The build writes into OUT (default web/). The e2e tests run this same
# recipe, `make build OUT=<a copy of web/> GO=<their toolchain>`, so there is
# one build rule for people and tests.

GO        ?= go
ADDR      ?= 127.0.0.1:8080
OUT       ?= web
GOROOT    := $(shell $(GO) env GOROOT)
WASM_DIR  := $(GOROOT)/lib/wasm
WASM_ENV  := GOOS=js GOARCH=wasm
NODE_PATH := PATH="$(WASM_DIR):$$PATH"

.PHONY: all build dist bundle serve test vet test-go test-wasm test-js test-fuzz test-e2e bench bench-web clean FORCE
.DELETE_ON_ERROR:

all: build

build: $(OUT)/playground.wasm $(OUT)/playground.wasm.gz $(OUT)/playground.wasm.br $(OUT)/wasm_exec.js $(OUT)/_src/files.json

# go build is incremental: always ask it, it knows what changed.
$(OUT)/playground.wasm: FORCE
	$(WASM_ENV) $(GO) build -trimpath -ldflags='-s -w' -o $@ ./wasm

# serve.go sends it to browsers that accept gzip (a quarter of the size).
$(OUT)/playground.wasm.gz: $(OUT)/playground.wasm
	gzip -9 -k -f $<

# serve.go prefers it to the .gz (a fifth smaller). Without Debian's brotli
# command the page is served with gzip only.
$(OUT)/playground.wasm.br: $(OUT)/playground.wasm
	@if command -v brotli >/dev/null; then echo "brotli -q 11 -k -f $<"; brotli -q 11 -k -f $<; \
	  else echo "note: no brotli command (apt-get install brotli): the wasm is served with gzip only"; fi

# wasm_exec.js must come from the toolchain that built the module.
$(OUT)/wasm_exec.js: $(WASM_DIR)/wasm_exec.js FORCE
	cp $(WASM_DIR)/wasm_exec.js $@

# The Go source the page shows beside the picture: the code that runs. The
# folder's name starts with "_" so that the go command ignores the copies.
SRC_CACHE := $(filter-out %_test.go,$(wildcard cache/*.go))
SRC_POOL  := $(filter-out %_test.go,$(wildcard cache/pool/*.go))
$(OUT)/_src/files.json: $(SRC_CACHE) $(SRC_POOL) FORCE
	rm -rf $(OUT)/_src
	mkdir -p $(OUT)/_src/cache $(OUT)/_src/pool
	cp $(SRC_CACHE) $(OUT)/_src/cache/
	cp $(SRC_POOL) $(OUT)/_src/pool/
	cd $(OUT)/_src && ls cache/*.go pool/*.go | sed 's/.*/"&"/' | paste -sd, - | sed 's/.*/[&]/' > files.json

# The static bundle: what the page needs, all its URLs relative, so that it
# works under any sub-path of any host, with no Go there. Beside each text or
# wasm file, a .br and a .gz for hosts that serve precompressed copies
# (serve.go does; GitHub Pages compresses on its own).
DIST ?= dist
dist: build
	$(MAKE) --no-print-directory bundle SITE=web DIST=$(DIST)

# bundle copies a built site (SITE) into DIST and compresses it; the e2e
# tests run it on the site they built.
SITE ?= web
ZIPPED := -name '*.html' -o -name '*.js' -o -name '*.mjs' -o -name '*.css' -o -name '*.svg' \
	  -o -name '*.json' -o -name '*.go' -o -name '*.txt' -o -name '*.md' -o -name '*.wasm'
bundle:
	@command -v brotli >/dev/null || { echo "make dist needs Debian's brotli command: apt-get install brotli"; exit 1; }
	rm -rf $(DIST)
	mkdir -p $(DIST)
	cp -R $(SITE)/. $(DIST)/
	find $(DIST) \( -name '*.br' -o -name '*.gz' -o -name '.*' -o -name '*.test.js' \) -prune -exec rm -rf {} +
	find $(DIST) -type f \( $(ZIPPED) \) -exec brotli -q 11 -k -f {} + -exec gzip -9 -k -f -n {} +
	@echo "$(DIST)/: $$(find $(DIST) -type f | wc -l) files, $$(du -sh $(DIST) | cut -f1)"

serve: build
	$(GO) run . -addr $(ADDR) -dir web

test: vet test-go test-wasm test-js test-fuzz

vet:
	@files="$$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './web/*')"; \
	  bad="$$(gofmt -l $$files)"; test -z "$$bad" || { echo "gofmt needed:"; echo "$$bad"; exit 1; }
	$(GO) vet ./...
	$(WASM_ENV) $(GO) vet ./wasm/...

# Includes ./e2e, which builds the page itself and drives headless Chromium.
test-go:
	$(GO) test -race -count=1 ./...

# The js/wasm packages, under Node, with the toolchain's go_js_wasm_exec.
test-wasm:
	$(NODE_PATH) $(WASM_ENV) $(GO) test -count=1 ./wasm/...

# The page's logic without a browser (jstest/, Node's own test runner, no
# npm packages). The tests take the scene spec from the built wasm, run
# under Node, so that they name no event kind or flag of their own.
test-js: $(OUT)/playground.wasm
	WASM_EXEC=$(WASM_DIR)/wasm_exec.js node --test jstest/

# The cache's fuzz targets, a few seconds each on their corpus (testdata/fuzz)
# and on what the fuzzer derives from it. go test fuzzes one target at a time.
FUZZ_TIME    ?= 5s
CACHE_FUZZES := FuzzCache
test-fuzz:
	for f in $(CACHE_FUZZES); do \
	  $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZ_TIME) ./cache/ || exit 1; \
	done

test-e2e:
	$(GO) test -count=1 -v ./e2e/

# Browser benchmarks in headless Chromium: wasm size, navigation to ready,
# frame times with 1,000 tasks, and the event pipe's throughput. They print
# what they measure and assert no time.
bench-web:
	$(GO) test -run '^$$' -bench Web -benchtime 1x -v ./e2e/

# Go benchmarks: the cache and the pool against the libraries people use
# (their own modules, so the library gains no dependency), and the engine.
bench:
	cd cache/bench && $(GO) test -run '^$$' -bench . -benchmem
	cd cache/pool/bench && $(GO) test -run '^$$' -bench . -benchmem
	$(GO) test -run '^$$' -bench . -benchmem ./wasm/engine/

clean:
	rm -f web/playground.wasm web/playground.wasm.gz web/playground.wasm.br web/wasm_exec.js
	rm -rf web/_src
	rm -rf dist

FORCE:
