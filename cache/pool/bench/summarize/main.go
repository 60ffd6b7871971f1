// Command summarize reads the lines "round size=N/mode/target ns allocs"
// that run.sh collects and prints a Markdown table: the median ns/op of
// each target, and the median over rounds of pool/puddle and pool/chan.
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
	slices.Sort(xs)
	n := len(xs)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

func main() {
	f, err := os.Open(os.Args[1])
	if err != nil {
		panic(err)
	}
	type key struct{ round, cas, target string }
	ns := map[key]float64{}
	allocs := map[string]string{}
	var cases []string
	rounds := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) != 4 {
			continue
		}
		i := strings.LastIndex(fs[1], "/")
		cas, target := fs[1][:i], fs[1][i+1:]
		v, _ := strconv.ParseFloat(fs[2], 64)
		ns[key{fs[0], cas, target}] = v
		allocs[fs[1]] = fs[3]
		rounds[fs[0]] = true
		if !slices.Contains(cases, cas) {
			cases = append(cases, cas)
		}
	}
	fmt.Printf("%d rounds\n\n", len(rounds))
	fmt.Println("| case | pool ns/op | puddle ns/op | chan ns/op | pool/puddle | pool/chan | allocs/op pool, puddle, chan |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---|")
	for _, c := range cases {
		var p, pu, ch, rPu, rCh []float64
		for r := range rounds {
			a, b, d := ns[key{r, c, "pool"}], ns[key{r, c, "puddle"}], ns[key{r, c, "chan"}]
			if a == 0 || b == 0 || d == 0 {
				continue
			}
			p, pu, ch = append(p, a), append(pu, b), append(ch, d)
			rPu, rCh = append(rPu, a/b), append(rCh, a/d)
		}
		fmt.Printf("| %s | %.0f | %.0f | %.0f | %.2f | %.2f | %s, %s, %s |\n", c, median(p), median(pu), median(ch),
			median(rPu), median(rCh), allocs[c+"/pool"], allocs[c+"/puddle"], allocs[c+"/chan"])
	}
}
