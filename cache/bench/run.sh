#!/bin/sh
# Runs every benchmark of this module as README.md reports them, into
# results/*.txt, then summarizes them with benchstat (medians, and their
# confidence intervals) into results/*.benchstat.
# Usage: ./run.sh   (from cache/bench; about 8 minutes on 2 cores)
set -e
mkdir -p results
go test -c -o results/bench.test .
cd results
# Get, 90/10 and Set: 10 rounds; each round runs every cache in turn, so
# that the load of a shared machine falls on all of them alike.
# A fixed number of operations per run avoids the calibration rounds.
./bench.test -test.run '^$' -test.bench '^Benchmark(Get|GetSet90|Set)$' \
	-test.benchtime 300000x -test.count 10 -test.cpu 2,1 > ops.txt
./bench.test -test.run '^$' -test.bench '^BenchmarkSweep$' \
	-test.benchtime 10x -test.count 3 -test.cpu 2,1 > sweep.txt
./bench.test -test.run '^$' -test.bench '^BenchmarkMemory$' -test.cpu 2 > memory.txt
rm bench.test
for f in ops sweep memory; do
	go run golang.org/x/perf/cmd/benchstat@latest $f.txt > $f.benchstat
done
