package pool_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gosharedstate/playground/cache/pool"
)

// DB is a pretend database server: it opens connections and counts them.
type DB struct {
	opened, closed int
}

// Conn is a pretend database connection.
type Conn struct {
	id     int
	broken bool
}

func (db *DB) Open(ctx context.Context) (*Conn, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	db.opened++
	return &Conn{id: db.opened}, nil
}

func (db *DB) Close(c *Conn) { db.closed++ }

func (c *Conn) Query(q string) (string, error) {
	if c.broken {
		return "", errors.New("connection reset")
	}
	return fmt.Sprintf("conn %d: %s -> ok", c.id, q), nil
}

// A pool of database connections: one is opened lazily and reused; a broken
// one is destroyed, and the next Acquire opens a fresh one.
func Example_database() {
	db := &DB{}
	p, err := pool.New(pool.Config[*Conn]{
		Constructor: db.Open,
		Destructor:  db.Close,
		MaxSize:     2,
	})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()

	query := func(q string) {
		res, err := p.Acquire(ctx)
		if err != nil {
			fmt.Println("acquire:", err)
			return
		}
		out, err := res.Value().Query(q)
		if err != nil {
			fmt.Println("query:", err)
			res.Destroy() // broken: close it and free its slot
			return
		}
		fmt.Println(out)
		res.Release() // back to the pool
	}

	query("SELECT 1")
	query("SELECT 2") // the same connection, reused

	res, _ := p.Acquire(ctx)
	res.Value().broken = true
	res.Release()
	query("SELECT 3") // finds the broken connection and destroys it
	query("SELECT 4") // a new connection

	p.Close()
	s := p.Stats()
	fmt.Printf("opened %d, closed %d, acquired %d times\n", db.opened, db.closed, s.AcquireCount)
	// Output:
	// conn 1: SELECT 1 -> ok
	// conn 1: SELECT 2 -> ok
	// query: connection reset
	// conn 2: SELECT 4 -> ok
	// opened 2, closed 2, acquired 5 times
}

// A worker that gives up when it cannot get a connection in time: the only
// connection is held by another worker, so the wait ends with the worker's
// context.
func Example_workerWithTimeout() {
	db := &DB{}
	p, err := pool.New(pool.Config[*Conn]{
		Constructor: db.Open,
		Destructor:  db.Close,
		MaxSize:     1,
	})
	if err != nil {
		panic(err)
	}
	defer p.Close()

	worker := func(name string, timeout time.Duration) error {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		res, err := p.Acquire(ctx)
		if err != nil {
			return fmt.Errorf("%s: no connection: %w", name, err)
		}
		defer res.Release()
		out, err := res.Value().Query("SELECT now()")
		if err != nil {
			return err
		}
		fmt.Println(name+":", out)
		return nil
	}

	busy, _ := p.Acquire(context.Background()) // another worker holds it
	err = worker("worker A", 20*time.Millisecond)
	fmt.Println(err, errors.Is(err, context.DeadlineExceeded))
	busy.Release()

	if err := worker("worker B", 20*time.Millisecond); err != nil {
		fmt.Println(err)
	}
	fmt.Println("waits cancelled:", p.Stats().CanceledWaitCount)
	// Output:
	// worker A: no connection: context deadline exceeded true
	// worker B: conn 1: SELECT now() -> ok
	// waits cancelled: 1
}

type taskKey struct{}

// Hooks let a program watch the pool as it works; the hooks of an Acquire
// get its context, so a caller can recognise itself by a context value.
func ExampleHooks() {
	task := func(ctx context.Context) any { return ctx.Value(taskKey{}) }
	p, err := pool.New(pool.Config[int]{
		Constructor: func(context.Context) (int, error) { return 42, nil },
		MaxSize:     1,
		Hooks: &pool.Hooks{
			Constructing: func(ctx context.Context, id uint64) {
				fmt.Printf("%v: constructing resource %d\n", task(ctx), id)
			},
			Acquired: func(ctx context.Context, id uint64, waited time.Duration, created bool) {
				fmt.Printf("%v: acquired resource %d (new: %v)\n", task(ctx), id, created)
			},
			AcquireFailed: func(ctx context.Context, err error, waited time.Duration) {
				fmt.Printf("%v: failed: %v\n", task(ctx), err)
			},
			Released:  func(id uint64, held time.Duration) { fmt.Printf("resource %d released\n", id) },
			Destroyed: func(id uint64, reason pool.DestroyReason) { fmt.Printf("resource %d destroyed: %v\n", id, reason) },
		},
	})
	if err != nil {
		panic(err)
	}
	for _, name := range []string{"task 1", "task 2"} {
		r, err := p.Acquire(context.WithValue(context.Background(), taskKey{}, name))
		if err == nil {
			r.Release()
		}
	}
	p.Close()
	p.Acquire(context.WithValue(context.Background(), taskKey{}, "task 3"))
	// Output:
	// task 1: constructing resource 1
	// task 1: acquired resource 1 (new: true)
	// resource 1 released
	// task 2: acquired resource 1 (new: false)
	// resource 1 released
	// resource 1 destroyed: closed
	// task 3: failed: pool: closed
}
