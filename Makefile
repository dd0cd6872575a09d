# carecontact — developer tasks. `make test` is the one command that runs all tests.
GO          ?= go
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
BENCHSTAT   ?= golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da
FUZZTIME    ?= 30s
BENCHCOUNT  ?= 6

.PHONY: test vet lint bench fuzz example

## test: vet, then every test of every package with the race detector. The
## storage/postgres tests start a throwaway server from the binaries that
## scripts/postgres-bin finds (installing Debian's postgresql where missing);
## the examples/server browser tests drive the chromium that
## scripts/chromium-bin finds (installing Debian's chromium where missing).
test: vet
	@pg_bin=$$(scripts/postgres-bin) || exit 1; \
	if [ -n "$$pg_bin" ]; then export CARECONTACT_PG_BIN="$$pg_bin"; echo "PostgreSQL binaries: $$pg_bin"; fi; \
	chromium=$$(scripts/chromium-bin) || exit 1; export CARECONTACT_CHROMIUM="$$chromium"; echo "chromium: $$chromium"; \
	$(GO) test -race -count=1 ./...

vet:
	$(GO) vet ./...

## lint: gofmt and staticcheck (pinned version, run through `go run`).
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) run $(STATICCHECK) ./...

## bench: all benchmarks, BENCHCOUNT runs each, written to bench.txt for benchstat
## (among them BenchmarkSlotSearch*, BenchmarkDispatch and
## BenchmarkContactLife*; on a shared machine compare cpu-ns/op, which
## several benchmarks report next to wall time).
## Figures on the 2-core machine kind, shared: BenchmarkDispatch about
## 4.5 µs cpu-ns/op at 1,000 queued and 6.4 µs at 100,000 (one cycle of
## three calls, finish, accept, enqueue: four store changes; ns/call 1.5
## and 2.1 µs; before items carried the store's Ref, 4.8 and 8.2 µs
## measured alongside, so compare only figures taken together); BenchmarkErlang
## about 1,000 ns/customer against BenchmarkErlangBare's 82-127 (the same
## model on a bare event loop); BenchmarkDurable (storage/postgres, its own
## server with fsync and synchronous_commit on) at 16 workers: bookings
## 0.44 (book; 0.41 book-many) and routing claims 0.45 of the bare-insert
## baseline measured alongside (medians of 6; about 3,100 bookings/s and
## 3,100 claims/s against 6,600-7,100 baseline inserts/s; the ratios vary
## by +-10-50% on a busy machine), writing 2.6 KiB (bookings) and 1.1 KiB
## (claims) of WAL per operation against the baseline's 0.45 KiB.
bench:
	$(GO) test -run='^$$' -bench=. -benchmem -count=$(BENCHCOUNT) ./... | tee bench.txt
	$(GO) run $(BENCHSTAT) bench.txt

## fuzz: a short run of every fuzz target (FUZZTIME each).
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "== $$pkg $$f"; \
	    $(GO) test -run='^$$' -fuzz="^$$f$$" -fuzztime=$(FUZZTIME) $$pkg; \
	  done; \
	done

## example: the main example.
example:
	$(GO) run ./examples/day
