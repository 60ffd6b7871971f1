#!/bin/sh
# Runs every benchmark ROUNDS times, round-robin (one short run of the whole
# suite per round), so that the machine's noise hits all targets alike, then
# prints the median ns/op of each and the median of the per-round ratios.
# Usage: ./run.sh [ROUNDS] [BENCHTIME] > results.txt
set -e
ROUNDS=${1:-15}
BT=${2:-300ms}
cd "$(dirname "$0")"
go test -c -o /tmp/poolbench.test .
OUT=$(mktemp)
i=1
while [ "$i" -le "$ROUNDS" ]; do
	/tmp/poolbench.test -test.run '^$' -test.bench AcquireRelease -test.benchtime "$BT" -test.benchmem |
		sed -n "s/^BenchmarkAcquireRelease\/\([^ 	]*\)-[0-9]*[ 	].*[ 	]\([0-9.]*\) ns\/op.*[ 	]\([0-9]*\) allocs\/op/$i \1 \2 \3/p" >>"$OUT"
	i=$((i + 1))
done
go run ./summarize "$OUT"
rm -f "$OUT"
