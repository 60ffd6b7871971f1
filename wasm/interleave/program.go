package interleave

import (
	"fmt"
	"strings"
)

// Lesson is the id of the step mode's lesson.
const Lesson = "interleave"

// The variants of the lesson, by id.
const (
	Unlocked = "unlocked" // Get, v++, Set: updates can be lost
	Locked   = "locked"   // the same under one sync.Mutex: none is lost
	Update   = "update"   // one cache.Update call: none is lost
	Deadlock = "deadlock" // two mutexes taken in opposite orders
)

// DeadlockMessage is what Go's runtime prints when every goroutine of a
// program is blocked; the step mode says it in the same words when every
// unfinished task waits for a lock another one holds.
const DeadlockMessage = "fatal error: all goroutines are asleep - deadlock!"

// DefaultTasks and MaxTasks bound the number of tasks (goroutines).
const (
	DefaultTasks = 2
	MaxTasks     = 4
)

// The key every task counts in.
const countKey = "count"

// op is what one line of a task's code does.
type op int

const (
	opGet    op = iota // v, _ := c.Get("count")
	opIncr             // v++
	opSet              // c.Set("count", v)
	opLock             // locks[lock].Lock()
	opUnlock           // locks[lock].Unlock()
	opUpdate           // c.Update("count", add one)
)

// line is one step of a task: its Go source and what it does.
type line struct {
	code string
	op   op
	lock int // index in program.locks, for opLock and opUnlock
}

// program is a variant: the mutexes it uses and each task's code. Task i
// runs codes[i%len(codes)], so that in the deadlock variant even tasks take
// a then b and odd ones b then a.
type program struct {
	variant   string
	locks     []string
	codes     [][]line
	challenge string // with %d for the number of tasks
}

var (
	get    = line{code: `v, _ := c.Get("count")`, op: opGet}
	incr   = line{code: `v++`, op: opIncr}
	set    = line{code: `c.Set("count", v)`, op: opSet}
	update = line{code: `c.Update("count", func(v int, _ bool) int { return v + 1 })`, op: opUpdate}
)

func lock(name string, i int) line   { return line{code: name + ".Lock()", op: opLock, lock: i} }
func unlock(name string, i int) line { return line{code: name + ".Unlock()", op: opUnlock, lock: i} }

// programs lists the variants in the order the page offers them.
var programs = []*program{
	{
		variant:   Unlocked,
		codes:     [][]line{{get, incr, set}},
		challenge: "Make the count end at 1, not %d: lose an update.",
	},
	{
		variant:   Locked,
		locks:     []string{"mu"},
		codes:     [][]line{{lock("mu", 0), get, incr, set, unlock("mu", 0)}},
		challenge: "Try to make the count end below %d.",
	},
	{
		variant:   Update,
		codes:     [][]line{{update}},
		challenge: "Try to make the count end below %d.",
	},
	{
		variant: Deadlock,
		locks:   []string{"a", "b"},
		codes: [][]line{
			{lock("a", 0), lock("b", 1), unlock("b", 1), unlock("a", 0)},
			{lock("b", 1), lock("a", 0), unlock("a", 0), unlock("b", 1)},
		},
		challenge: "Make every goroutine wait for a lock another one holds (%d tasks).",
	},
}

// Variants returns the ids of the lesson's variants.
func Variants() []string {
	ids := make([]string, len(programs))
	for i, p := range programs {
		ids[i] = p.variant
	}
	return ids
}

// lookup returns the program of a variant, or an error naming the value.
func lookup(variant string) (*program, error) {
	for _, p := range programs {
		if p.variant == variant {
			return p, nil
		}
	}
	return nil, fmt.Errorf("variant %q is not one of %s", variant, strings.Join(Variants(), ", "))
}

// code returns task i's lines.
func (p *program) code(task int) []line { return p.codes[task%len(p.codes)] }

// checkTasks validates the number of tasks; 0 means DefaultTasks.
func checkTasks(n int) (int, error) {
	if n == 0 {
		return DefaultTasks, nil
	}
	if n < 1 || n > MaxTasks {
		return 0, fmt.Errorf("tasks must be between 1 and %d (got %d)", MaxTasks, n)
	}
	return n, nil
}
