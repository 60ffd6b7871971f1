# The Go shared-state playground.
#   make serve   build the WebAssembly and serve the page (ADDR=127.0.0.1:8080)
#   make dist    the static bundle in dist/ (DIST=...): the page with a .br and
#                a .gz beside each text or wasm file, for any static host
#   make test    every test: vet, Go tests with -race, the js/wasm tests under
#                Node, and the end-to-end tests in headless Chromium

GO        ?= go
ADDR      ?= 127.0.0.1:8080
GOROOT    := $(shell $(GO) env GOROOT)
WASM_DIR  := $(GOROOT)/lib/wasm
WASM_ENV  := GOOS=js GOARCH=wasm
NODE_PATH := PATH="$(WASM_DIR):$$PATH"

.PHONY: all build dist bundle serve test vet test-go test-wasm test-e2e bench bench-web clean FORCE
.DELETE_ON_ERROR:

all: build

build: web/playground.wasm web/playground.wasm.gz web/playground.wasm.br web/wasm_exec.js web/_src/files.json

# go build is incremental: always ask it, it knows what changed.
web/playground.wasm: FORCE
	$(WASM_ENV) $(GO) build -trimpath -ldflags='-s -w' -o $@ ./wasm

# serve.go sends it to browsers that accept gzip (a quarter of the size).
web/playground.wasm.gz: web/playground.wasm
	gzip -9 -k -f web/playground.wasm

# serve.go prefers it to the .gz (a fifth smaller). Without Debian's brotli
# command the page is served with gzip only.
web/playground.wasm.br: web/playground.wasm
	@if command -v brotli >/dev/null; then echo "brotli -q 11 -k -f $<"; brotli -q 11 -k -f $<; \
	  else echo "note: no brotli command (apt-get install brotli): the wasm is served with gzip only"; fi

# wasm_exec.js must come from the toolchain that built the module.
web/wasm_exec.js: $(WASM_DIR)/wasm_exec.js FORCE
	cp $(WASM_DIR)/wasm_exec.js $@

# The Go source the page shows beside the picture: the code that runs. The
# folder's name starts with "_" so that the go command ignores the copies.
SRC_CACHE := $(filter-out %_test.go,$(wildcard cache/*.go))
SRC_POOL  := $(filter-out %_test.go,$(wildcard cache/pool/*.go))
web/_src/files.json: $(SRC_CACHE) $(SRC_POOL) FORCE
	rm -rf web/_src
	mkdir -p web/_src/cache web/_src/pool
	cp $(SRC_CACHE) web/_src/cache/
	cp $(SRC_POOL) web/_src/pool/
	cd web/_src && ls cache/*.go pool/*.go | sed 's/.*/"&"/' | paste -sd, - | sed 's/.*/[&]/' > files.json

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

test: vet test-go test-wasm

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
