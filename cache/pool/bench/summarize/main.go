// Command summarize reads the output of run.sh (benchmark lines, each
// prefixed with its round number) and prints a Markdown table: for each
// case, the median ns/op of each target, the median over rounds of the
// ratios pool/puddle and pool/chan (each ratio taken within one round),
// the median waits/op of pool and puddle, and allocs/op.
package main

import (
	"bufio"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
)

func median(xs []float64) float64 {
	xs = slices.Clone(xs)
	slices.Sort(xs)
	n := len(xs)
	switch {
	case n == 0:
		return 0
	case n%2 == 1:
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

type result struct {
	ns, waits, allocs float64
}

func main() {
	f, err := os.Open(os.Args[1])
	if err != nil {
		panic(err)
	}
	type key struct{ round, cas, target string }
	res := map[key]result{}
	var cases []string
	rounds := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) < 4 || !strings.HasPrefix(fs[1], "BenchmarkAcquireRelease/") {
			continue
		}
		name := strings.TrimPrefix(fs[1], "BenchmarkAcquireRelease/")
		name = name[:strings.LastIndex(name, "-")] // the -GOMAXPROCS suffix
		i := strings.LastIndex(name, "/")
		cas, target := name[:i], name[i+1:]
		var r result
		for j := 3; j+1 < len(fs); j += 2 {
			v, _ := strconv.ParseFloat(fs[j], 64)
			switch fs[j+1] {
			case "ns/op":
				r.ns = v
			case "waits/op":
				r.waits = v
			case "allocs/op":
				r.allocs = v
			}
		}
		res[key{fs[0], cas, target}] = r
		rounds[fs[0]] = true
		if !slices.Contains(cases, cas) {
			cases = append(cases, cas)
		}
	}
	fmt.Printf("%d rounds; medians\n\n", len(rounds))
	fmt.Println("| case | pool ns/op | puddle ns/op | chan ns/op | pool/puddle | pool/chan | waits/op pool, puddle | allocs/op pool, puddle, chan |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---|---|")
	for _, c := range cases {
		var p, pu, ch, rPu, rCh, wP, wPu, aP, aPu, aCh []float64
		for r := range rounds {
			a, b, d := res[key{r, c, "pool"}], res[key{r, c, "puddle"}], res[key{r, c, "chan"}]
			if a.ns == 0 || b.ns == 0 || d.ns == 0 {
				continue
			}
			p, pu, ch = append(p, a.ns), append(pu, b.ns), append(ch, d.ns)
			rPu, rCh = append(rPu, a.ns/b.ns), append(rCh, a.ns/d.ns)
			wP, wPu = append(wP, a.waits), append(wPu, b.waits)
			aP, aPu, aCh = append(aP, a.allocs), append(aPu, b.allocs), append(aCh, d.allocs)
		}
		fmt.Printf("| %s | %.0f | %.0f | %.0f | %.2f | %.2f | %.2f, %.2f | %.0f, %.0f, %.0f |\n", c,
			median(p), median(pu), median(ch), median(rPu), median(rCh), median(wP), median(wPu),
			median(aP), median(aPu), median(aCh))
	}
}
