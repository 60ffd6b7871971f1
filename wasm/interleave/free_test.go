package interleave

import (
	"context"
	"testing"
)

func TestRunFree(t *testing.T) {
	ctx := context.Background()
	for _, v := range []string{Locked, Update} {
		res, err := RunFree(ctx, v, 4, 200)
		if err != nil {
			t.Fatal(err)
		}
		if res.Runs != 200 || res.Lost != 0 || res.Lowest != 4 || res.Expected != 4 {
			t.Errorf("%s: %+v; want 200 runs, none lost", v, res)
		}
	}
	res, err := RunFree(ctx, Unlocked, 2, 500)
	if err != nil {
		t.Fatal(err)
	}
	// Whether an update is lost is up to the scheduler; a run ends at 1 or 2.
	if res.Runs != 500 || res.Lost < 0 || res.Lost > 500 || res.Lowest < 1 || res.Lowest > 2 || res.Procs < 1 {
		t.Errorf("unlocked: %+v", res)
	}
	t.Logf("unlocked, 2 tasks, GOMAXPROCS %d: %d of %d runs lost an update", res.Procs, res.Lost, res.Runs)
}

func TestRunFreeRefuses(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		variant     string
		tasks, runs int
		want        string
	}{
		{Deadlock, 2, 10, `variant "deadlock" cannot run without the gate: its goroutines could block for good; step it instead`},
		{"x", 2, 10, `variant "x" is not one of unlocked, locked, update, deadlock`},
		{Unlocked, 9, 10, "tasks must be between 1 and 4 (got 9)"},
		{Unlocked, 2, 0, "runs must be between 1 and 100000 (got 0)"},
	} {
		if _, err := RunFree(ctx, c.variant, c.tasks, c.runs); err == nil || err.Error() != c.want {
			t.Errorf("RunFree(%q, %d, %d) = %v; want %q", c.variant, c.tasks, c.runs, err, c.want)
		}
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if res, err := RunFree(cancelled, Unlocked, 2, 10); err != context.Canceled || res.Runs != 0 {
		t.Errorf("cancelled: %+v, %v", res, err)
	}
}
