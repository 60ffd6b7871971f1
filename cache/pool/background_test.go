package pool_test

import (
	"context"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gosharedstate/playground/cache/pool"
)

// A panic on the background goroutine has no caller to reach: it ends the
// program, as Config documents. The test runs itself in a child process,
// whose MinIdle filler's Constructor panics.
func TestBackgroundPanicEndsProgram(t *testing.T) {
	const msg = "the Constructor panicked on the background goroutine"
	if os.Getenv("POOL_BACKGROUND_PANIC") == "1" {
		p := mustNew(t, pool.Config[int]{
			Constructor: func(context.Context) (int, error) { panic(msg) },
			MaxSize:     1,
			MinIdle:     1,
		})
		defer p.Close()
		<-time.After(time.Minute) // a bound, should the panic not come
		return
	}
	if runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skip("no child processes on " + runtime.GOOS)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestBackgroundPanicEndsProgram$", "-test.count=1")
	cmd.Env = append(os.Environ(), "POOL_BACKGROUND_PANIC=1")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "panic: "+msg) {
		t.Errorf("child process: %v, output:\n%s", err, out)
	}
}
