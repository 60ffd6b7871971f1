package lesson

import (
	"fmt"
	"time"

	"github.com/gosharedstate/playground/wasm/engine"
)

// The lessons, in the order of the page. Ids, variant ids and result field
// names are a contract (issue 12): change none of them.
var lessons = []Lesson{
	{
		ID:     "shared-cache",
		Title:  "One cache, five tasks, one mutex",
		Prompt: "The seed lesson's AsyncCache: a map behind one mutex, shared by five tasks and a cleanup task that reports the size.",
		Watch:  "The timeline: each task takes the lock to insert its key, then again to read it back; the janitor's lane takes it once a second to sweep. The cache view: five entries go live, run down their TTL, turn expired, then vanish at a sweep. The log: each task's third Get finds its key expired before a sweep has removed it.",
		Claim:  "Every Get and Set takes the one lock in turn, so no task ever sees a half-written map; and Get refuses an expired entry by itself, whether or not the janitor has swept it yet.",
		TryThis: []string{
			"The settings now hold this scene: set Locking to rwmutex and press Start, for a free scene in which the tasks get and set at random; the lock view shows readers holding the lock together.",
			"Then set the Cleanup interval to 5000 ms, as in the seed lesson, and press Start: expired entries stay stored longer before a sweep (the ttl lesson measures it).",
		},
		Where:  "In the browser all goroutines share one thread, so the five tasks never run at the same instant: the mutex still decides who goes next, and the tasks wait for it as natively. Natively they run in parallel on several cores, and the same lock keeps the map safe (go test -race ./cache passes).",
		Result: []string{"inserted", "read", "sweeps"},
		Views:  true,
		Variants: []Variant{{ID: "default", Label: "The seed's scene",
			Text: "Five tasks insert key0…key4, read them back, and read them again after their 2 s TTL; the cleanup task sweeps every second."}},
		runs: func(string, RunOptions) []run {
			s := base(5, 5)
			s.Mix = engine.Mix{Get: 1, Set: 1}
			s.TTLMs, s.CleanupMs, s.WorkMs = 2000, 1000, 20
			script := perTask(5, func(i int) []engine.Step {
				return []engine.Step{
					{Think: time.Duration(i) * 150 * time.Millisecond, Op: engine.OpSet, Key: i},
					{Think: 50 * time.Millisecond, Op: engine.OpGet, Key: i},
					{Think: 2200 * time.Millisecond, Op: engine.OpGet, Key: i},
				}
			})
			return []run{{label: "the seed's scene", scene: s, extras: engine.Extras{Script: script}, sweeps: 4}}
		},
		result: func(_ string, rs []Outcome) map[string]float64 {
			sn := rs[0].Snapshot
			return map[string]float64{"inserted": float64(sn.Sets), "read": float64(sn.Hits), "sweeps": float64(sn.Sweeps)}
		},
		reading: func(_ string, r map[string]float64) string {
			return fmt.Sprintf("%.0f keys inserted and %.0f read back through one mutex; %.0f sweeps; each later read found its key expired, as Get must.", r["inserted"], r["read"], r["sweeps"])
		},
	},
	{
		ID:     "ttl",
		Title:  "TTL and the janitor: lazy expiry against the sweep",
		Prompt: "When does an expired entry leave memory? Get refuses it at once (lazy expiry), but only a sweep (or a new Set) removes it.",
		Watch:  "The cache view: tiles turn expired (Get refuses them) and stay stored until a sweep. The Numbers: Entries stored against the janitor's sweeps. The timeline's janitor lane: each sweep holds the lock.",
		Claim:  "A long cleanup interval holds expired entries in memory; a short one removes them soon but takes the lock more often, and every task that needs the lock waits while it sweeps.",
		TryThis: []string{
			"Run short, then long: compare the most entries stored while expired.",
			"Compare the janitor's lock time: short sweeps often and holds the lock each time; long has not swept yet.",
		},
		Where:  "The counts are the same in the browser and natively: they depend on scene time, not on threads. A sweep's lock time is measured as it ran; in the browser a sweep of a few entries takes microseconds to a millisecond. Natively, cache/bench measured a sweep of 1e6 entries with 1 % expired at 1.3 to 1.6 ms (cache/bench/README.md).",
		Result: []string{"maxExpiredStored", "sweeps", "sweepLockMs"},
		Views:  true,
		Variants: []Variant{
			{ID: "short", Label: "Short cleanup interval (250 ms)", Text: "The janitor sweeps four times a second: few expired entries stay stored."},
			{ID: "long", Label: "Long cleanup interval (20 s)", Text: "The janitor's first sweep would come after the 12 s run: expired entries pile up, refused by Get but still stored."},
		},
		runs: func(v string, _ RunOptions) []run {
			s := base(4, 40)
			s.Mix = engine.Mix{Get: 5, Set: 5}
			s.ThinkMs, s.TTLMs, s.CleanupMs = 100, 1000, 250
			if v == "long" {
				s.CleanupMs = 20000
			}
			return []run{{label: v + " cleanup interval", scene: s, seconds: 12}}
		},
		result: func(_ string, rs []Outcome) map[string]float64 {
			m := rs[0].Measures
			return map[string]float64{"maxExpiredStored": float64(m.MaxExpiredStored), "sweeps": float64(m.Sweeps), "sweepLockMs": m.SweepLockMs}
		},
		reading: func(v string, r map[string]float64) string {
			return fmt.Sprintf("With the %s interval, at most %.0f expired entries were stored at once; %.0f sweeps held the lock %.2f ms in all.", v, r["maxExpiredStored"], r["sweeps"], r["sweepLockMs"])
		},
	},
	{
		ID:     "pool",
		Title:  "A pool: more tasks than connections",
		Prompt: "The seed's second prompt: what happens when more tasks want a resource than there are? They wait in line, some give up, and a broken connection is replaced.",
		Watch:  "The pool view: two connections, and a line of tasks waiting in order of arrival. The timeline: a waiting task's lane shows its wait; some give up after the acquire timeout. The log: a broken connection is destroyed, and a new one is opened when a task needs it.",
		Claim:  "The pool never opens more than its size; waiting tasks get a connection in the order they arrived (this pool is FIFO); an acquire that waits too long fails with a timeout instead of hanging; a broken connection is destroyed and replaced.",
		TryThis: []string{
			"The settings now hold this scene: set Pool size to 8 (one per task) and press Start, for a free scene of pool uses: nobody waits.",
			"Set Pool size back to 2 and Acquire timeout to 0 (wait forever), and press Start: no timeouts, longer waits.",
		},
		Where:  "Waiting in line and the order of grants are the same in the browser and natively: the pool hands connections over a channel, first come first served. Natively, cache/pool's tests check the order under -race.",
		Result: []string{"maxWaiting", "timeouts", "destroyed", "constructed", "outOfOrderGrants"},
		Views:  true,
		Variants: []Variant{{ID: "default", Label: "Eight tasks, two connections",
			Text: "Eight tasks arrive 10 ms apart and use a connection for 100 ms, seven times each; a task gives up after 250 ms; every seventh use breaks its connection."}},
		runs: func(string, RunOptions) []run {
			s := base(8, 1)
			s.Mix = engine.Mix{Pool: 1}
			s.PoolSize, s.WorkMs, s.LoadMs, s.AcquireTimeoutMs = 2, 100, 20, 250
			script := perTask(8, func(i int) []engine.Step {
				steps := []engine.Step{{Think: time.Duration(i) * 10 * time.Millisecond, Op: engine.OpPool, Key: -1}}
				for range 6 {
					steps = append(steps, engine.Step{Think: 150 * time.Millisecond, Op: engine.OpPool, Key: -1})
				}
				return steps
			})
			return []run{{label: "eight tasks, two connections", scene: s, extras: engine.Extras{Script: script, BreakEvery: 7}}}
		},
		result: func(_ string, rs []Outcome) map[string]float64 {
			m, sn := rs[0].Measures, rs[0].Snapshot
			return map[string]float64{"maxWaiting": float64(m.PoolMaxWaiting), "timeouts": float64(sn.PoolTimeouts),
				"destroyed": float64(m.PoolDestroyed), "constructed": float64(m.PoolConstructed), "outOfOrderGrants": float64(m.OutOfOrderGrants)}
		},
		reading: func(_ string, r map[string]float64) string {
			return fmt.Sprintf("Up to %.0f tasks waited in line; %.0f gave up; %.0f broken connections were destroyed and %.0f opened in all; %.0f grants out of arrival order.", r["maxWaiting"], r["timeouts"], r["destroyed"], r["constructed"], r["outOfOrderGrants"])
		},
	},
	{
		ID:     "rwmutex",
		Title:  "Mutex, RWMutex or Sharded?",
		Prompt: "The seed's third prompt: would an RWMutex be better than a Mutex for a read-heavy cache? Measured here, in three runs of the same scene.",
		Watch:  "Each run in turn on the views (the lock view shows readers holding the RWMutex together), then the chart: operations per second and mean lock wait for each locking.",
		Claim:  "With work that blocks inside the lock, an RWMutex lets readers hold it together, so they wait less and more operations finish. With work that computes, in the browser's single thread no other goroutine runs while the holder computes: nobody even reaches the lock meanwhile, so no locking waits (every mean lock wait is about 0) and none can help; the operations per second are what one thread can compute.",
		TryThis: []string{
			"Run blocking, then computing: compare the lock waits. Blocking: the Mutex's readers queue, the RWMutex's share. Computing: no waits at all.",
			"Lower the read share to 50 %: writers take the RWMutex alone, and its advantage shrinks.",
		},
		Where: "In Go's WebAssembly every goroutine shares one thread: only blocking work (a sleep, I/O) lets readers overlap. Natively, with several cores, readers also compute at the same moment; but for tiny critical sections (a map lookup) an RWMutex costs about as much as a Mutex, as the native figures show.",
		Native: &Native{
			Text:    "Natively a Get is a tiny critical section: at 90 % reads the three lockings are within a few ns of each other (ns per operation, median of 10; lower is better).",
			Command: "cd cache/bench && ./run.sh (BenchmarkGetSet90, -test.benchtime 300000x -test.count 10 -test.cpu 2,1)",
			Machine: "2 vCPU Intel Xeon VM, go1.26.8 linux/amd64, shared with other jobs",
			Date:    "2026-11-26",
			Source:  "cache/bench/README.md",
			Rows: [][2]string{
				{"Mutex, 2 cores", "92 ns/op"}, {"RWMutex, 2 cores", "90 ns/op"}, {"Sharded, 2 cores", "87 ns/op"},
				{"Mutex, 1 core", "70 ns/op"}, {"RWMutex, 1 core", "78 ns/op"}, {"Sharded, 1 core", "81 ns/op"},
			},
		},
		Result: []string{"mutexOpsPerSecond", "rwmutexOpsPerSecond", "shardedOpsPerSecond",
			"mutexLockWaitMeanMs", "rwmutexLockWaitMeanMs", "shardedLockWaitMeanMs"},
		Reads: true,
		Views: true,
		Variants: []Variant{
			{ID: "blocking", Label: "Work that blocks (sleeps) in the lock", Text: "Each operation sleeps 5 ms holding the lock, as if it waited for I/O."},
			{ID: "computing", Label: "Work that computes (spins) in the lock", Text: "Each operation computes for 5 ms holding the lock: a busy loop that never yields."},
		},
		runs: func(v string, o RunOptions) []run {
			reads := 90
			if o.Reads != 0 {
				reads = o.Reads
			}
			var runs []run
			for _, locking := range []string{engine.LockingMutex, engine.LockingRWMutex, engine.LockingSharded} {
				s := base(8, 64)
				s.Mix = engine.Mix{Get: reads, Set: 100 - reads}
				s.ThinkMs, s.WorkMs, s.Locking = 20, 5, locking
				runs = append(runs, run{label: locking, scene: s, extras: engine.Extras{Spin: v == "computing"}, seconds: 5})
			}
			return runs
		},
		result: func(_ string, rs []Outcome) map[string]float64 {
			r := map[string]float64{}
			for _, o := range rs {
				r[o.Label+"OpsPerSecond"] = o.Snapshot.OpsPerSec
				r[o.Label+"LockWaitMeanMs"] = o.Snapshot.LockWaitMeanMs
			}
			return r
		},
		reading: func(v string, r map[string]float64) string {
			if v == "computing" {
				return fmt.Sprintf("With computing work nobody waited for a lock (mean waits %.2f, %.2f and %.2f ms): the one thread computed %.0f, %.0f and %.0f operations per second under Mutex, RWMutex and Sharded.",
					r["mutexLockWaitMeanMs"], r["rwmutexLockWaitMeanMs"], r["shardedLockWaitMeanMs"], r["mutexOpsPerSecond"], r["rwmutexOpsPerSecond"], r["shardedOpsPerSecond"])
			}
			gain := 0.0
			if r["mutexOpsPerSecond"] > 0 {
				gain = r["rwmutexOpsPerSecond"] / r["mutexOpsPerSecond"]
			}
			return fmt.Sprintf("With %s work the RWMutex did %.1f× the Mutex's operations per second (%.0f against %.0f), waiting %.1f ms for the lock on average against %.1f ms.",
				v, gain, r["rwmutexOpsPerSecond"], r["mutexOpsPerSecond"], r["rwmutexLockWaitMeanMs"], r["mutexLockWaitMeanMs"])
		},
	},
	{
		ID:     "stampede",
		Title:  "A stampede: many tasks miss the same key at once",
		Prompt: "A read-through cache in front of a slow origin: what happens when twenty tasks miss the same two keys at the same moment?",
		Watch:  "The timeline: with get-then-load every task's lane shows its own load; with get-or-load one load per key, and the other tasks wait for it. The Numbers and the result: requests the loader sent to the HTTP origin.",
		Claim:  "Get, then load and Set on a miss, sends one request per task that missed; GetOrLoad sends one per key, and every task that asked gets that one answer.",
		TryThis: []string{
			"Run get-then-load, then get-or-load: compare originRequests with tasks and keys.",
			"Open the page with serve.go and look at /origin/stats: its count of requests agrees with the lesson's.",
		},
		Where:  "The same in the browser and natively: the tasks all miss before the first answer arrives. In the browser the loader's requests are real HTTP requests, sent by Go's WebAssembly through the browser's fetch.",
		Result: []string{"originRequests", "tasks", "keys"},
		Views:  true,
		Variants: []Variant{
			{ID: "get-then-load", Label: "Get, then load and Set", Text: "Each task checks, then loads on a miss.", Code: "v, ok := c.Get(k); if !ok { v = load(k); c.Set(k, v) }"},
			{ID: "get-or-load", Label: "GetOrLoad", Text: "One load per key at a time, shared by everyone who asks.", Code: "v, err := c.GetOrLoad(ctx, k, load)"},
		},
		runs: func(v string, _ RunOptions) []run {
			const tasks, keys = 20, 2
			s := base(tasks, keys)
			s.Mix = engine.Mix{GetOrLoad: 1}
			s.TTLMs = 60000
			op := pick(v, "get-or-load", engine.OpGetOrLoad, engine.OpGetThenLoad)
			script := perTask(tasks, func(i int) []engine.Step {
				return []engine.Step{{Op: op, Key: i % keys}, {Think: time.Second, Op: engine.OpGet, Key: i % keys}}
			})
			return []run{{label: v, scene: s, extras: engine.Extras{Script: script}}}
		},
		result: func(_ string, rs []Outcome) map[string]float64 {
			s := rs[0].Scene
			return map[string]float64{"originRequests": float64(rs[0].Measures.OriginRequests), "tasks": float64(s.Tasks), "keys": float64(s.Keys)}
		},
		reading: func(v string, r map[string]float64) string {
			return fmt.Sprintf("With %s, %.0f tasks asking for %.0f keys sent %.0f requests to the origin.", v, r["tasks"], r["keys"], r["originRequests"])
		},
		needsOrigin: true,
	},
	{
		ID:     "lost-update",
		Title:  "Lost updates: every call is locked, and still",
		Prompt: "Tasks add one to a counter stored in the cache: Get, some work, Set. Every call takes the lock. Why is the count wrong?",
		Watch:  "The timeline: two tasks' Gets of the same counter before either's Set. The result: expected (the additions made) against actual (the counter at the end).",
		Claim:  "The lock covers each call, not the read-modify-write: between a task's Get and its Set another task reads the same value, and one addition is lost. Update runs the read, the work and the write under the key's lock, and loses none.",
		TryThis: []string{
			"Run get-then-set, then update: compare actual with expected.",
			"In the update variant, watch the lock view: the work now happens while holding the lock, so the tasks take turns.",
		},
		Where:  "The same in the browser and natively: the work between Get and Set lets another task in. Natively, go test -race finds no data race here: each call is locked. This is a race in the logic, which the race detector cannot see.",
		Result: []string{"expected", "actual"},
		Views:  true,
		Variants: []Variant{
			{ID: "get-then-set", Label: "Get, work, Set", Text: "Three calls, each locked on its own.", Code: "n, _ := c.Get(\"counter\"); work(); c.Set(\"counter\", n+1)"},
			{ID: "update", Label: "Update", Text: "One call: the read, the work and the write under the key's lock.", Code: "c.Update(\"counter\", func(n int, _ bool) int { work(); return n + 1 })"},
		},
		runs: func(v string, _ RunOptions) []run {
			const tasks, each = 5, 6
			s := base(tasks, 1)
			s.Mix = engine.Mix{Get: 1, Set: 1}
			op := pick(v, "update", engine.OpUpdate, engine.OpGetThenSet)
			script := perTask(tasks, func(i int) (steps []engine.Step) {
				for j := range each {
					steps = append(steps, engine.Step{Think: time.Duration(5+(i*7+j*3)%11) * time.Millisecond, Op: op, Key: 0})
				}
				return steps
			})
			return []run{{label: v, scene: s, extras: engine.Extras{Script: script, Between: 30 * time.Millisecond}}}
		},
		result: func(_ string, rs []Outcome) map[string]float64 {
			return map[string]float64{"expected": float64(rs[0].Measures.Increments), "actual": float64(rs[0].Counter)}
		},
		reading: func(v string, r map[string]float64) string {
			if r["actual"] < r["expected"] {
				return fmt.Sprintf("With %s the counter ends at %.0f, not %.0f: %.0f additions were lost.", v, r["actual"], r["expected"], r["expected"]-r["actual"])
			}
			return fmt.Sprintf("With %s the counter ends at %.0f of %.0f: no addition was lost.", v, r["actual"], r["expected"])
		},
	},
	{
		ID:     "forgot-close",
		Title:  "Forgot to Close: janitor goroutines",
		Prompt: "A program makes caches with a janitor and never calls Close. Does every janitor goroutine leak for ever?",
		Watch:  "The lines below the lesson: how many janitor goroutines run (counted from the Go runtime's own list of goroutines) after the caches are made, after the program is done with them, and after a garbage collection.",
		Claim:  "Close ends a janitor at once. Without it the janitor keeps running while anything can reach the cache; it holds its cache only through a weak pointer, so once the cache is unreachable and the GC has run, the janitor ends at its next tick.",
		TryThis: []string{
			"Run forget, then close: compare the janitors still running after the run.",
			"After a run, press Collect garbage: it runs runtime.GC() and counts the janitors again.",
		},
		Where:  "The same in the browser and natively: the janitor is a goroutine with a timer, and runtime.GC works alike. The counts are of the goroutines that cache.startJanitor created, read from runtime.Stack.",
		Result: []string{"janitorsStarted", "janitorsRunningAfterRun", "janitorsRunningAfterCollect"},
		Variants: []Variant{
			{ID: "forget", Label: "Never call Close", Text: "Five caches, used and dropped.", Code: "for range 5 { c := cache.New[string, int](cache.WithCleanupInterval(200 * time.Millisecond)); use(c) } // no Close"},
			{ID: "close", Label: "Call Close", Text: "Five caches, used and closed.", Code: "for range 5 { c := cache.New[string, int](cache.WithCleanupInterval(200 * time.Millisecond)); use(c); c.Close() }"},
		},
		prog: func(v string) program { return janitorProgram(v == "close", 5, 200*time.Millisecond) },
		reading: func(v string, r map[string]float64) string {
			if v == "close" {
				return fmt.Sprintf("%.0f janitors started; Close ended them all: %.0f running after the run, %.0f after a GC.", r["janitorsStarted"], r["janitorsRunningAfterRun"], r["janitorsRunningAfterCollect"])
			}
			return fmt.Sprintf("%.0f janitors started; %.0f still ran after the program was done with the caches, %.0f once a GC had found them unreachable.", r["janitorsStarted"], r["janitorsRunningAfterRun"], r["janitorsRunningAfterCollect"])
		},
	},
}

// pick is op if the variant is v, else other.
func pick(variant, v string, op, other engine.Op) engine.Op {
	if variant == v {
		return op
	}
	return other
}

// perTask is a script: task i's steps are steps(i).
func perTask(tasks int, steps func(i int) []engine.Step) [][]engine.Step {
	script := make([][]engine.Step, tasks)
	for i := range script {
		script[i] = steps(i)
	}
	return script
}

// base is a lesson scene over DefaultScene: tasks and keys, no work, no
// TTL and no janitor unless the lesson sets them.
func base(tasks, keys int) engine.Scene {
	s := engine.DefaultScene()
	s.Tasks, s.Keys = tasks, keys
	s.WorkMs, s.TTLMs, s.CleanupMs = 0, 0, 0
	return s
}
