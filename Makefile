# The Go shared-state playground.
#   make serve   build the WebAssembly and serve the page (ADDR=127.0.0.1:8080)
#   make test    every test: vet, Go tests with -race, the js/wasm tests under
#                Node, and the end-to-end tests in headless Chromium

GO        ?= go
ADDR      ?= 127.0.0.1:8080
GOROOT    := $(shell $(GO) env GOROOT)
WASM_DIR  := $(GOROOT)/lib/wasm
WASM_ENV  := GOOS=js GOARCH=wasm
NODE_PATH := PATH="$(WASM_DIR):$$PATH"

.PHONY: all build serve test vet test-go test-wasm test-fuzz test-e2e bench bench-web clean FORCE
.DELETE_ON_ERROR:

all: build

build: web/playground.wasm web/playground.wasm.gz web/wasm_exec.js web/_src/files.json

# go build is incremental: always ask it, it knows what changed.
web/playground.wasm: FORCE
	$(WASM_ENV) $(GO) build -trimpath -ldflags='-s -w' -o $@ ./wasm

# serve.go sends it to browsers that accept gzip (a quarter of the size).
web/playground.wasm.gz: web/playground.wasm
	gzip -9 -k -f web/playground.wasm

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

serve: build
	$(GO) run . -addr $(ADDR) -dir web

test: vet test-go test-wasm test-fuzz

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
	rm -f web/playground.wasm web/playground.wasm.gz web/wasm_exec.js
	rm -rf web/_src
	rm -rf dist

FORCE:
