package cache

// lruList keeps keys in recency order, most recently used first.
type lruList[K comparable] struct {
	nodes map[K]*lruNode[K]
	root  lruNode[K] // sentinel: root.next is the newest, root.prev the oldest
}

type lruNode[K comparable] struct {
	key        K
	prev, next *lruNode[K]
}

func newLRU[K comparable]() *lruList[K] {
	l := &lruList[K]{nodes: make(map[K]*lruNode[K])}
	l.root.prev, l.root.next = &l.root, &l.root
	return l
}

// touch makes key the most recently used, adding it if needed.
func (l *lruList[K]) touch(key K) {
	n, ok := l.nodes[key]
	if ok {
		if l.root.next == n {
			return
		}
		n.prev.next, n.next.prev = n.next, n.prev
	} else {
		n = &lruNode[K]{key: key}
		l.nodes[key] = n
	}
	n.prev, n.next = &l.root, l.root.next
	l.root.next.prev = n
	l.root.next = n
}

func (l *lruList[K]) remove(key K) {
	n, ok := l.nodes[key]
	if !ok {
		return
	}
	n.prev.next, n.next.prev = n.next, n.prev
	n.prev, n.next = nil, nil
	delete(l.nodes, key)
}

// oldest returns the least recently used key; the list must not be empty.
func (l *lruList[K]) oldest() K { return l.root.prev.key }
