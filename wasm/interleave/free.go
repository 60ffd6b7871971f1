package interleave

import (
	"context"
	"fmt"
	"runtime"
	"sync"
)

// MaxFreeRuns bounds RunFree's runs.
const MaxFreeRuns = 100_000

// FreeResult is what RunFree measured.
type FreeResult struct {
	Variant  string `json:"variant"`
	Tasks    int    `json:"tasks"`
	Runs     int    `json:"runs"`
	Expected int    `json:"expected"` // the count each run should end at: Tasks
	Lost     int    `json:"lost"`     // runs that ended below Expected: an update was lost
	Lowest   int    `json:"lowest"`   // the lowest count a run ended at
	Procs    int    `json:"procs"`    // GOMAXPROCS: 1 in the browser, where goroutines share one thread
}

// RunFree lets Go's scheduler run the variant: the same program, on the
// same real cache and mutexes, without the gate, runs times over. Each run
// starts its tasks' goroutines together (they wait for one start signal) so
// that they contend as much as they can. Natively, on several cores, the
// unlocked variant can lose updates; in the browser, on one thread without
// preemption, each goroutine's three lines almost always run without a
// switch, so it almost never does.
//
// The deadlock variant is refused: without the gate its goroutines can
// really block for good, and nothing could end them. RunFree checks ctx
// between runs. It does not give the thread back between runs: in the
// browser, call it from a goroutine of its own (a Web Worker's).
func RunFree(ctx context.Context, variant string, tasks, runs int) (FreeResult, error) {
	p, err := lookup(variant)
	if err != nil {
		return FreeResult{}, err
	}
	if p.variant == Deadlock {
		return FreeResult{}, fmt.Errorf("variant %q cannot run without the gate: its goroutines could block for good; step it instead", variant)
	}
	n, err := checkTasks(tasks)
	if err != nil {
		return FreeResult{}, err
	}
	if runs < 1 || runs > MaxFreeRuns {
		return FreeResult{}, fmt.Errorf("runs must be between 1 and %d (got %d)", MaxFreeRuns, runs)
	}
	res := FreeResult{Variant: variant, Tasks: n, Expected: n, Lowest: n, Procs: runtime.GOMAXPROCS(0)}
	for range runs {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		got := runFreeOnce(p, n)
		res.Runs++
		if got < n {
			res.Lost++
		}
		res.Lowest = min(res.Lowest, got)
	}
	return res, nil
}

// runFreeOnce runs the program once on fresh goroutines and returns the
// count it ended at.
func runFreeOnce(p *program, tasks int) int {
	w := newWorld(p)
	defer w.c.Close()
	begin := make(chan struct{})
	var wg sync.WaitGroup
	for t := range tasks {
		wg.Go(func() {
			<-begin
			var l local
			for _, ln := range p.code(t) {
				w.exec(ln, &l)
			}
		})
	}
	close(begin)
	wg.Wait()
	return w.count()
}
