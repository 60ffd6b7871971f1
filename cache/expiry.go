package cache

// expiryIndex finds the entries that expired without scanning the map.
//
// Most entries are stored with one of a few TTLs (the default one, above
// all), and on a monotonic clock the expiry times of entries stored with the
// same TTL only grow. So each distinct TTL (up to maxQueues of them) gets a
// FIFO queue whose items are in expiry order: a sweep pops expired items
// from the front of each queue and stops at the first live one, in time
// proportional to the number of expired items. Items that do not fit a
// queue (more TTLs than queues, or a clock that went backwards) go to a
// binary min-heap.
//
// Items are not removed when their entry is overwritten or deleted: the
// sweep skips an item whose entry is gone or has another expiry time, and a
// compaction drops such stale items when they outnumber the entries.
type expiryIndex[K comparable] struct {
	queues []*expQueue[K]
	heap   []expItem[K]
	n      int // items queued, stale ones included
	// compacted is n after the last compaction: the next one waits until n
	// has doubled, so that compactions cost O(1) per push amortized.
	compacted int
}

type expItem[K comparable] struct {
	exp int64
	key K
}

const (
	maxQueues = 8
	minChunk  = 8
	maxChunk  = 256
)

func (x *expiryIndex[K]) push(key K, exp, ttl int64) {
	x.n++
	for _, q := range x.queues {
		if q.ttl == ttl {
			if q.last <= exp {
				q.push(expItem[K]{exp, key})
				return
			}
			x.heapPush(expItem[K]{exp, key})
			return
		}
	}
	if len(x.queues) < maxQueues {
		q := &expQueue[K]{ttl: ttl}
		x.queues = append(x.queues, q)
		q.push(expItem[K]{exp, key})
		return
	}
	x.heapPush(expItem[K]{exp, key})
}

// popExpired pops every item whose expiry time is at or before now and
// calls f with it. If f returns a time (after now), the key is queued again
// for that time.
func (x *expiryIndex[K]) popExpired(now int64, f func(key K, exp int64) (requeue int64)) {
	for _, q := range x.queues {
		for q.len > 0 {
			it := q.front()
			if it.exp > now {
				break
			}
			q.pop()
			x.n--
			if re := f(it.key, it.exp); re != 0 {
				x.n++
				if re >= q.last {
					q.push(expItem[K]{re, it.key})
				} else {
					x.heapPush(expItem[K]{re, it.key})
				}
			}
		}
	}
	for len(x.heap) > 0 && x.heap[0].exp <= now {
		it := x.heapPop()
		x.n--
		if re := f(it.key, it.exp); re != 0 {
			x.n++
			x.heapPush(expItem[K]{re, it.key})
		}
	}
	// Drop empty queues beyond the first few, so that a TTL used once
	// does not keep its queue.
	if len(x.queues) > 2 {
		k := 0
		for _, q := range x.queues {
			if q.len > 0 || k < 2 {
				x.queues[k] = q
				k++
			}
		}
		clear(x.queues[k:])
		x.queues = x.queues[:k]
	}
}

// compact drops the stale items: those for which live is false.
func (x *expiryIndex[K]) compact(live func(key K, exp int64) bool) {
	x.n = 0
	for _, q := range x.queues {
		nq := expQueue[K]{ttl: q.ttl}
		for q.len > 0 {
			it := q.front()
			q.pop()
			if live(it.key, it.exp) {
				nq.push(it)
			}
		}
		*q = nq
		x.n += q.len
	}
	h := x.heap[:0]
	for _, it := range x.heap {
		if live(it.key, it.exp) {
			h = append(h, it)
		}
	}
	clear(x.heap[len(h):])
	x.heap = h
	for i := len(h)/2 - 1; i >= 0; i-- {
		x.down(i)
	}
	x.n += len(h)
	x.compacted = x.n
}

func (x *expiryIndex[K]) heapPush(it expItem[K]) {
	x.heap = append(x.heap, it)
	h := x.heap
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if h[p].exp <= h[i].exp {
			break
		}
		h[p], h[i] = h[i], h[p]
		i = p
	}
}

func (x *expiryIndex[K]) heapPop() expItem[K] {
	h := x.heap
	it := h[0]
	last := len(h) - 1
	h[0] = h[last]
	var zero expItem[K]
	h[last] = zero
	x.heap = h[:last]
	if last > 0 {
		x.down(0)
	}
	return it
}

func (x *expiryIndex[K]) down(i int) {
	h := x.heap
	n := len(h)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && h[r].exp < h[l].exp {
			m = r
		}
		if h[i].exp <= h[m].exp {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

// expQueue is a FIFO of items in expiry order, in a linked list of chunks
// so that it neither copies nor keeps much unused capacity.
type expQueue[K comparable] struct {
	ttl        int64
	last       int64 // expiry time of the last item pushed
	head, tail *expChunk[K]
	hi         int // index of the front item in head
	len        int
}

type expChunk[K comparable] struct {
	items []expItem[K] // len: pushed so far; cap: the chunk's size
	next  *expChunk[K]
}

func (q *expQueue[K]) push(it expItem[K]) {
	q.last = it.exp
	t := q.tail
	if t == nil || len(t.items) == cap(t.items) {
		size := minChunk
		if t != nil {
			size = min(2*cap(t.items), maxChunk)
		}
		c := &expChunk[K]{items: make([]expItem[K], 0, size)}
		if t == nil {
			q.head, q.tail, q.hi = c, c, 0
		} else {
			t.next = c
			q.tail = c
		}
		t = c
	}
	t.items = append(t.items, it)
	q.len++
}

func (q *expQueue[K]) front() expItem[K] { return q.head.items[q.hi] }

func (q *expQueue[K]) pop() {
	var zero expItem[K]
	q.head.items[q.hi] = zero // let the key be collected
	q.hi++
	q.len--
	if q.hi == len(q.head.items) {
		if q.head == q.tail {
			// Empty: keep the chunk for reuse.
			q.head.items = q.head.items[:0]
			q.hi = 0
			return
		}
		q.head = q.head.next
		q.hi = 0
	}
}
