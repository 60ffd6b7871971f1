package engine

import (
	"context"
	"strconv"
)

// The lessons' operations (OpGetThenLoad, OpGetThenSet, OpUpdate), which a
// task's Script asks for (see Extras). Each is the way a program would
// write it against the cache, so that what the views show is what such a
// program does.

// getThenLoad looks key up and, on a miss, loads it and stores it: the
// check-then-act that lets every task that misses at once load the same
// key (a stampede), where GetOrLoad loads it once. It reports whether the
// task ends with a value.
func (t *task) getThenLoad(key int) bool {
	if _, ok := t.h.Get(key); ok {
		return true
	}
	v, err := t.loadValue(t.ctx, key)
	if err != nil {
		return false
	}
	t.h.Set(key, v)
	return true
}

// getThenSet adds one to the counter under key with Get, the work of
// Extras.Between, then Set. Each call takes the lock, but the lock covers
// each call, not the three together: another task can read the same value
// between this task's Get and its Set, and one of the two additions is
// lost.
func (t *task) getThenSet(key int) bool {
	v, _ := t.h.Get(key)
	n, _ := strconv.Atoi(v)
	if t.e.x.Between > 0 && t.e.clock.Sleep(t.ctx, t.e.x.Between) != nil {
		return false
	}
	t.h.Set(key, strconv.Itoa(n+1))
	t.e.meas.increment()
	return true
}

// update adds one to the counter under key with Update: the read, the work
// and the write happen under the key's lock, so no addition is lost.
func (t *task) update(key int) bool {
	t.h.Update(key, func(old string, _ bool) string {
		n, _ := strconv.Atoi(old)
		if t.e.x.Between > 0 {
			// Under the lock, on the scene clock; a Stop cuts it short
			// (the task's context), and the store goes ahead: the
			// addition still counts.
			_ = t.e.clock.sleep(t.ctx, nil, t.e.x.Between)
		}
		return strconv.Itoa(n + 1)
	})
	t.e.meas.increment()
	return true
}

// fetch loads key index k from the scene's Origin (Extras.Origin), and
// gives up when ctx or the scene ends.
func (e *Engine) fetch(ctx context.Context, k int) (string, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(e.ctx, cancel)
	defer stop()
	e.meas.originRequest()
	body, err := e.x.Origin.Get(ctx, OriginKey(k))
	if err != nil {
		e.meas.originFailed(err)
		return "", err
	}
	return string(body), nil
}
