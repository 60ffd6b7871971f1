package e2e

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The browser benchmarks (make bench-web) measure the page in headless
// Chromium and report what they measured; they assert no time. Run them
// with:
//
//	go test -run '^$' -bench Web -benchtime 1x ./e2e/

// BenchmarkWebLoad reports the wasm's size and the time from navigation to a
// ready page (the Go runtime started, bindings registered), in a fresh
// browser and on reload.
func BenchmarkWebLoad(b *testing.B) {
	if chromiumPath == "" {
		b.Skip("Chromium is missing")
	}
	raw, err := os.ReadFile(filepath.Join(siteDir, "playground.wasm"))
	if err != nil {
		b.Fatal(err)
	}
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zw.Write(raw)
	zw.Close()
	var fresh, reload []float64
	for range b.N {
		br := startBrowser(b, 1280, 900)
		br.run(b, chromedp.Navigate(baseURL))
		br.waitFor(b, "the page", `window.playgroundReadyMs !== undefined`)
		fresh = append(fresh, eval[float64](b, br, `window.playgroundReadyMs`))
		for range 3 {
			br.run(b, chromedp.Reload())
			br.waitFor(b, "the page", `window.playgroundReadyMs !== undefined`)
			reload = append(reload, eval[float64](b, br, `window.playgroundReadyMs`))
		}
	}
	b.ReportMetric(float64(len(raw))/1e6, "wasm-MB")
	b.ReportMetric(float64(gz.Len())/1e6, "wasm-gzip-MB")
	b.ReportMetric(median(fresh), "fresh-ready-ms")
	b.ReportMetric(median(reload), "reload-ready-ms")
	fmt.Printf("load: wasm %.2f MB raw, %.2f MB gzip -9; navigation to ready: fresh browser %v ms, reload %v ms\n",
		float64(len(raw))/1e6, float64(gz.Len())/1e6, round(fresh), round(reload))
}

// BenchmarkWebFrames runs a scene of 1,000 tasks over 10,000 keys and
// reports the page's frame times while it runs.
func BenchmarkWebFrames(b *testing.B) {
	if chromiumPath == "" {
		b.Skip("Chromium is missing")
	}
	const query = "?tasks=1000&keys=10000&thinkMs=100&workMs=0&loadMs=10&ttlMs=600000&cleanupMs=1000&mix.get=3&mix.set=6&mix.delete=0&mix.getOrLoad=1&mix.pool=0&locking=sharded"
	for range b.N {
		br := startBrowser(b, 1280, 900)
		br.run(b, chromedp.Navigate(baseURL+query))
		br.waitFor(b, "the page", `window.playground && playground.model !== undefined`)
		br.run(b, chromedp.Click(chromedp.ID("scene-start")))
		// Let the cache fill, then measure every frame the page draws, with
		// the timeline on screen, then with the lock, pool and cache views.
		br.waitFor(b, "the page", `playground.snapshot && playground.snapshot.entries >= 9000`)
		for _, view := range []string{"timeline", "lock-view"} {
			br.run(b, chromedp.ScrollIntoView(chromedp.ID(view)))
			br.run(b, chromedp.Evaluate[chromedp.Void](`(() => {
				window.benchFrames = []; window.benchEvents0 = playground.model.events; window.benchT0 = performance.now();
				let last = 0;
				const f = (ts) => { if (last) benchFrames.push(ts - last); last = ts; if (benchFrames.length < 600) requestAnimationFrame(f); };
				requestAnimationFrame(f);
			})()`))
			br.waitFor(b, "the page", `benchFrames.length >= 600`)
			frames := eval[[]float64](b, br, `benchFrames`)
			events := eval[float64](b, br, `(playground.model.events - benchEvents0) * 1000 / (performance.now() - benchT0)`)
			entries := eval[float64](b, br, `playground.snapshot.entries`)
			agg := eval[float64](b, br, `playground.model.aggregatedTotal`)
			shown := eval[string](b, br, `[...playground.visible].sort().join(", ")`)
			sort.Float64s(frames)
			p95 := frames[len(frames)*95/100]
			b.ReportMetric(p95, view+"-frame-p95-ms")
			b.ReportMetric(events, view+"-events/s")
			fmt.Printf("frames: 1000 tasks, %.0f entries, on screen: %s: frame time p50 %.1f ms, p95 %.1f ms, max %.1f ms over %d frames; %.0f events/s drawn, %.0f aggregated so far\n",
				entries, shown, frames[len(frames)/2], p95, frames[len(frames)-1], len(frames), events, agg)
		}
		br.run(b, chromedp.Click(chromedp.ID("scene-stop")))
	}
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[len(s)/2]
}

func round(xs []float64) []int {
	out := make([]int, len(xs))
	for i, x := range xs {
		out[i] = int(x + 0.5)
	}
	return out
}

// BenchmarkWebPipe measures the event pipe alone: a synthetic source in a
// Go worker started for it (pipeFlood, registered only there) fills each drain with numbered events at a set
// rate, and the page decodes and applies every one to its model, as it does
// a scene's. It reports, for each rate, the events delivered per second and
// how many were lost; the engine's own buffer is measured natively by
// BenchmarkDrain in wasm/engine.
func BenchmarkWebPipe(b *testing.B) {
	if chromiumPath == "" {
		b.Skip("Chromium is missing")
	}
	for range b.N {
		br := startBrowser(b, 1280, 900)
		br.run(b, chromedp.Navigate(baseURL+"?tasks=1000&keys=10000"))
		br.waitFor(b, "the page", `window.playground && playground.model !== undefined`)
		// pipeFlood is registered only in a worker started with ?bench=pipe:
		// the page's own worker is replaced with one.
		eval[string](b, br, `(async () => {
			const { GoWorker } = await import("./goworker.js");
			const go = new GoWorker("worker.js?bench=pipe");
			await go.ready;
			const old = playground.go;
			old.retired = true;
			old.terminate();
			playground.attach(go);
			return "ok";
		})()`)
		best := 0.0
		for _, rate := range []float64{200_000, 400_000, 800_000, 1_600_000} {
			br.run(b, chromedp.Evaluate[chromedp.Void](`(() => {
				const pg = playground;
				pg.model.reset({ ...pg.spec.defaults, tasks: 1000, keys: 10000 });
				pg.go.pump(true);
			})()`))
			eval[string](b, br, fmt.Sprintf(`playground.go.call("pipeFlood", %v)`, rate))
			time.Sleep(5 * time.Second)
			res := eval[string](b, br, `playground.go.call("pipeFlood", 0)`)
			// Let what is in flight arrive, then count.
			br.waitFor(b, "the page", `(() => { const n = playground.model.events; const same = n === window.lastApplied; window.lastApplied = n; return same; })()`)
			time.Sleep(300 * time.Millisecond)
			var r struct {
				Sent, Dropped int64
				Seconds       float64
			}
			if err := jsonUnmarshal(res, &r); err != nil {
				b.Fatal(err)
			}
			applied := eval[float64](b, br, `playground.model.events`) - 1 // the synthetic sceneStart
			lost := float64(r.Sent) - applied
			perSec := applied / r.Seconds
			fmt.Printf("pipe: asked %.0f events/s: delivered %.0f events/s (%d sent in %.1f s, %.0f applied, %d dropped at the source, %.0f lost on the way)\n",
				rate, perSec, r.Sent, r.Seconds, applied, r.Dropped, lost)
			if r.Dropped == 0 && lost == 0 && perSec > best {
				best = perSec
			}
		}
		b.ReportMetric(best, "lossless-events/s")
	}
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
