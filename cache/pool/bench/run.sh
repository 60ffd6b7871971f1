#!/bin/sh
# Runs the whole benchmark suite ROUNDS times, round-robin (one short run of
# every benchmark per round), so that the noise of a shared machine hits all
# targets alike, then prints the medians (see summarize).
# Usage: ./run.sh [ROUNDS] [BENCHTIME] > results.txt
set -e
ROUNDS=${1:-12}
BT=${2:-300ms}
cd "$(dirname "$0")"
BIN=$(mktemp)
OUT=$(mktemp)
go test -c -o "$BIN" .
i=1
while [ "$i" -le "$ROUNDS" ]; do
	"$BIN" -test.run '^$' -test.bench AcquireRelease -test.benchtime "$BT" -test.benchmem |
		sed -n "s/^Benchmark/$i Benchmark/p" >>"$OUT"
	i=$((i + 1))
done
go run ./summarize "$OUT"
rm -f "$BIN" "$OUT"
