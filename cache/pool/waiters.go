package pool

// waiter is one Acquire waiting in line. Whoever hands it something (a
// resource, a slot, or ErrClosed) takes it off the list and sets the field
// with the pool's lock held, then sends once on ch, which has room for
// that one send. Waiters are recycled through a sync.Pool, so a waiter is
// put back only after its one send has been received, or when it left the
// list itself and no send will come.
type waiter[T any] struct {
	ch     chan struct{}
	c      *conn[T] // a resource handed over by a Release
	slot   bool     // a free slot: construct a resource
	err    error    // ErrClosed
	queued bool     // on the list; guarded by the pool's lock
	pos    int      // position when it joined (1: first)

	prev, next *waiter[T]
}

// waitList is a FIFO doubly linked list of waiters, so that a waiter whose
// context ended can leave from anywhere in O(1).
type waitList[T any] struct {
	head, tail *waiter[T]
	n          int
}

func (l *waitList[T]) pushBack(w *waiter[T]) {
	w.prev, w.next = l.tail, nil
	if l.tail == nil {
		l.head = w
	} else {
		l.tail.next = w
	}
	l.tail = w
	l.n++
	w.queued = true
	w.pos = l.n
}

func (l *waitList[T]) popFront() *waiter[T] {
	w := l.head
	if w != nil {
		l.remove(w)
	}
	return w
}

func (l *waitList[T]) remove(w *waiter[T]) {
	if w.prev == nil {
		l.head = w.next
	} else {
		w.prev.next = w.next
	}
	if w.next == nil {
		l.tail = w.prev
	} else {
		w.next.prev = w.prev
	}
	w.prev, w.next = nil, nil
	w.queued = false
	l.n--
}
