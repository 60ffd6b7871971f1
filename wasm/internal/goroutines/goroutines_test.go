package goroutines

import (
	"runtime"
	"strings"
	"testing"
)

func TestStartedSeesOnlyNewGoroutinesOfTheModule(t *testing.T) {
	before := Running()
	if len(Started(before)) != 0 {
		t.Fatal("a goroutine counted as started before any was")
	}
	stop, ended := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(ended)
		<-stop
	}()
	left := Started(before)
	if len(left) != 1 || !strings.Contains(left[0], "TestStartedSeesOnlyNewGoroutinesOfTheModule") {
		t.Fatalf("started: %q, want the one goroutine of this test", left)
	}
	close(stop)
	<-ended
	// Once it has returned, it may still be in its last instructions: wait
	// for it to leave the list.
	for len(Started(before)) != 0 {
		runtime.Gosched()
	}
}
