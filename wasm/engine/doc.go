// Package engine runs the playground's scenes: real goroutines contending
// for a real cache.Cache lock and a real pool.Pool, on a scene clock that
// can be slowed down, sped up and paused, with everything they do recorded
// as compact events for the page to draw.
//
// It is pure Go (no syscall/js): it runs and is tested natively, and the
// same code runs in the browser compiled to WebAssembly, where the bindings
// in package main drive it from a Web Worker.
//
// # Scenes
//
// A Scene is one serialisable value (JSON or URL query, same names) that
// describes a run: how many tasks, their operation mix, the keys, the
// times, the cache's TTL, janitor and locking, the pool, the seed and the
// speed. Fields lists every field with its limits, for the page's
// controls; Validate, ParseScene and SceneFromQuery apply the same limits
// and give a message per bad field, for a learner.
//
// # What a task does
//
// Each task is a goroutine with its own random source (PCG seeded with the
// scene's Seed and the task's index; Scene.Plan shows its steps). At each
// step it:
//
//  1. stops here while the scene is paused;
//  2. draws an operation (by the Mix weights), a key (uniformly; or, with
//     Dist "hot", one of the first HotKeys keys with probability HotShare
//     and any key otherwise) and a think time (ThinkMs times a factor drawn
//     uniformly in [0.5, 1.5));
//  3. thinks for that long on the scene clock;
//  4. performs the operation, against the real cache through its own
//     cache.Traced handle, or against the real pool.
//
// The operations:
//
//   - get, set, delete, getOrLoad: every time the task holds the cache's lock
//     (read or write; getOrLoad takes it to look, twice on a miss, and its
//     loader once to store), it works for WorkMs of scene time while holding it, inside
//     the LockAcquired hook. The janitor's sweeps do no such work.
//     getOrLoad's load, on a miss, takes LoadMs (in the cache's loader
//     goroutine, reported as the task that started it).
//   - pool: acquire a connection, giving up after AcquireTimeoutMs of scene
//     time (0: wait forever); use it for WorkMs; release it. Opening a new
//     connection takes LoadMs and counts against the acquire timeout. A
//     task never destroys a connection: they are destroyed when the pool
//     closes, at Stop.
//
// Because a step's random draws never depend on timing, the same seed gives
// every task the same sequence of operations and keys, whatever the speed
// and whoever wins the lock.
//
// In the browser every goroutine shares one thread and nothing preempts a
// goroutine that never blocks (runtime.Gosched is not enough: the page
// freezes). Two rules keep the thread breathing:
//
//   - the yield rule: a task whose think time is under 1 ms of real time
//     (think 0, or a short think at a high speed) also sleeps 1 ms of real
//     time every 4 such steps, whatever else it does;
//   - breathing (GOOS=js only): Go gives the thread back to the JavaScript
//     event loop only when no goroutine can run, which hundreds of busy
//     tasks never allow even with the yield rule. So when the event loop
//     has not turned for 20 ms (the worker's calls of Drain and Snapshot,
//     from JavaScript, are the sign that it did), every task stops at its
//     next step until the next such call, or for at most 50 ms. Measured
//     once under Node with 1,000 tasks and no think time: 22 event-loop
//     turns a second and 360,000 events a second drained with breathing;
//     without, no turn at all. A scene whose tasks think never needs a breath.
//     Snapshot.Breaths counts them.
//
// Browsers clamp short timers to about 4 ms: every duration in an event is
// measured on the scene clock, never the requested one (think is the
// exception: it announces the think time about to start).
//
// # Time
//
// One SceneClock drives everything: the cache's TTLs and janitor (through
// cache.WithClock), the pool's clock, think, work and load times and
// acquire timeouts (a scene-clock timer cancels the acquire's context).
// Pausing the scene freezes it: nothing expires and no sweep runs while
// paused. Changing the speed reschedules pending timers.
//
// # Events
//
// The hooks of the cache and the pool, and the tasks themselves, record
// events in a bounded buffer (DefaultEventBuffer records); the bindings
// Drain it once per animation frame as fixed 32-byte little-endian records
// (see Event):
//
//	offset  type     field
//	0       float64  t      scene ms since Start
//	8       float64  dur    ms, per kind
//	16      uint16   kind   Kind
//	18      uint16   flags  per kind
//	20      int32    task   0..Tasks-1; -1 the janitor; -2 the scene
//	24      int32    key    key index (key<key>), -1 none
//	28      int32    aux    per kind
//
// When the buffer is full, events are not dropped: they are counted per
// kind, and the next Drain appends one aggregated record per kind (key =
// the kind, aux = how many). The fields of each kind:
//
//	kind               task    key          aux                dur               flags
//	sceneStart         -2      -1           tasks              0                 0
//	scenePause         -2      -1           0                  0                 0
//	sceneResume        -2      -1           0                  0                 0
//	sceneStop          -2      -1           0                  0                 0
//	sceneSpeed         -2      -1           speed*100          0                 0
//	think              task    next key     next op            think ms ahead    0
//	opStart            task    key (-1 pool) op                0                 0
//	lockWait           task/-1 op's key     shard              0                 bit0 shared; bits 8..15 lock op
//	lockAcquired       task/-1 op's key     shard              waited            bit0 shared; bits 8..15 lock op
//	lockReleased       task/-1 op's key     shard              held              bit0 shared; bits 8..15 lock op
//	cacheSet           task    key          0                  ttl (0: none)     0
//	cacheHit           task    key          0                  0                 0
//	cacheMiss          task    key          0                  0                 bit0 expired
//	cacheDelete        task    key          0                  0                 0
//	cacheEvict         task    key evicted  0                  0                 0
//	cacheExpire        -1      key          0                  0                 0
//	sweepStart         -1      -1           entries            0                 0
//	sweepEnd           -1      remaining    removed            took              0
//	loadStart          task    key          0                  0                 0
//	loadEnd            task    key          0                  took              bit0 error
//	poolAcquireStart   task    -1           0                  0                 0
//	poolWaiting        task    -1           position (1 first) 0                 0
//	poolConstructing   task    -1           connection id      0                 0
//	poolAcquired       task    -1           connection id      waited            bit0 created
//	poolAcquireFailed  task    -1           0                  waited            1 timeout, 2 closed, 3 constructor error, 4 scene stopped
//	poolReleased       task    -1           connection id      held              0
//	poolDestroyed      -2      -1           connection id      0                 pool.DestroyReason (5 closed)
//	opEnd              task    key (-1 pool) op                latency           bit0 ok (hit, loaded, got a connection)
//	aggregated         -2      kind         count              0                 0
//
// Op codes (OpNames): 1 get, 2 set, 3 delete, 4 getOrLoad, 5 pool, and the
// lessons' (see Extras) 6 getThenLoad, 7 getThenSet, 8 update. Lock
// ops (LockOpNames, the cache's cache.Op): 1 get, 2 set, 3 delete, 4
// sweep, 5 len, 6 update. A lock event's key is the key of the operation the task is
// performing (-1 for the janitor); its shard is always 0 unless the
// locking is "sharded".
//
// # Life cycle
//
// New validates a scene; Start runs it; Pause and Resume freeze and thaw
// it; SetSpeed changes its speed live; Stop ends every goroutine (tasks,
// janitor, the pool's, timers) before it returns. An Engine runs once: to
// reset, Stop it and make a new one. Snapshot gives the numbers for the
// counters and charts, without waiting for the cache's lock.
package engine
