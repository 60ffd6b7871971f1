package engine

import (
	"math/rand/v2"
	"time"
)

// Step is one step of a task's plan: the think time before it, the
// operation and the key index. The random draws do not depend on timing,
// so the same seed gives every task the same steps.
type Step struct {
	Think time.Duration `json:"think"`
	Op    Op            `json:"op"`
	Key   int           `json:"key"`
}

// planner draws a task's steps.
type planner struct {
	rng   *rand.Rand
	mix   [numOps]int // cumulative weights, by Op
	total int
	keys  int
	hot   int
	dist  string
	think time.Duration
}

func newPlanner(s Scene, i int) *planner {
	p := &planner{rng: newRand(s.Seed, i), keys: s.Keys, hot: HotKeys(s.Keys), dist: s.Dist, think: msDur(s.ThinkMs)}
	w := [numOps]int{OpGet: s.Mix.Get, OpSet: s.Mix.Set, OpDelete: s.Mix.Delete, OpGetOrLoad: s.Mix.GetOrLoad, OpPool: s.Mix.Pool}
	for op := OpGet; op < numOps; op++ {
		p.total += w[op]
		p.mix[op] = p.total
	}
	return p
}

// next draws three numbers, always: the operation, the key, the think
// jitter.
func (p *planner) next() Step {
	r := p.rng.IntN(p.total)
	op := OpGet
	for op < numOps-1 && r >= p.mix[op] {
		op++
	}
	var key int
	if p.dist == DistHot {
		u := p.rng.Float64()
		if u < HotShare {
			key = int(u / HotShare * float64(p.hot))
		} else {
			key = int((u - HotShare) / (1 - HotShare) * float64(p.keys))
		}
		key = min(key, p.keys-1)
	} else {
		key = p.rng.IntN(p.keys)
	}
	jitter := 0.5 + p.rng.Float64()
	if op == OpPool {
		key = -1 // drawn all the same, so that every step draws alike
	}
	return Step{Think: time.Duration(float64(p.think) * jitter), Op: op, Key: key}
}

// Plan returns the first n steps task i of scene s takes: what the same
// seed always gives. It does not validate s.
func (s Scene) Plan(i, n int) []Step {
	if s.Tasks < 1 || s.Keys < 1 || s.Mix.Get+s.Mix.Set+s.Mix.Delete+s.Mix.GetOrLoad+s.Mix.Pool <= 0 {
		return nil
	}
	p := newPlanner(s, i)
	out := make([]Step, n)
	for j := range out {
		out[j] = p.next()
	}
	return out
}

// newRand returns task i's random source: PCG seeded with (seed, i).
func newRand(seed int64, i int) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), uint64(i)))
}
