// Command playground serves the Go shared-state playground: a static page in
// which Go compiled to WebAssembly runs a concurrent cache and pool.
//
// Usage:
//
//	go run . [-addr 127.0.0.1:8080] [-dir web] [-frame-ancestors '*'] [-origin=true] [-drain 5s]
//
// It serves the regular files of one folder and nothing else: no directory
// listings, no dotfiles, no path that leaves the folder (symbolic links are
// judged by where they lead), no FIFOs or devices. It listens on the loopback
// interface unless told otherwise (and says so when it is not), serves the
// precompressed copies `make build` and `make dist` leave beside the files,
// and shuts down cleanly on Ctrl-C: it lets running downloads finish for the
// drain time, and a second Ctrl-C ends it at once.
//
// The server's parts, one job per file: this file (flags, listening,
// shutdown), files.go (which files are served and how), encoding.go
// (Accept-Encoding and the precompressed copies), ranges.go (which Range
// headers are taken), requestlog.go (the request log and the requests in
// flight), toolong.go (the page for an over-long URL) and origin.go (the
// HTTP origin under /origin/ that the stampede lesson fetches from).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

func main() {
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr, sig); err != nil {
		fmt.Fprintln(os.Stderr, "playground:", err)
		os.Exit(1)
	}
}

// run parses args and serves until ctx ends or sig delivers an interrupt,
// then drains: requests still running may finish for the drain time; a
// second interrupt, or the end of the drain, closes every connection at once
// and reports what was cut off. Cutting a download off at shutdown is what
// was asked for, so it is reported, not returned as an error. Tests pass
// their own sig channel; main passes the process's SIGINT and SIGTERM.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, sig <-chan os.Signal) error {
	flags := flag.NewFlagSet("playground", flag.ContinueOnError)
	flags.SetOutput(stderr)
	addr := flags.String("addr", "127.0.0.1:8080", "address to listen on (host:port; port 0 picks a free one; a host other than loopback is reachable from other machines)")
	dir := flags.String("dir", "web", "folder to serve")
	frame := flags.String("frame-ancestors", "*", "CSP frame-ancestors: the sites allowed to embed the page in a frame ('none' forbids it)")
	originOn := flags.Bool("origin", true, "serve the HTTP origin the stampede lesson fetches from, under /origin/")
	drain := flags.Duration("drain", 5*time.Second, "at shutdown, how long running requests may go on before they are cut off")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if flags.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (flags are -addr, -dir, -frame-ancestors, -origin and -drain)", flags.Arg(0))
	}
	if err := checkFrameAncestors(*frame); err != nil {
		return err
	}
	if *drain <= 0 {
		return fmt.Errorf("-drain %v: want a positive duration, such as 5s", *drain)
	}
	root, err := os.OpenRoot(*dir)
	if err != nil {
		return fmt.Errorf("cannot serve %s: %w", *dir, err)
	}
	defer root.Close()
	if _, err := root.Stat("index.html"); err != nil {
		return fmt.Errorf("%s has no index.html: %w", *dir, err)
	}
	if _, err := root.Stat("playground.wasm"); err != nil {
		fmt.Fprintf(stderr, "playground: warning: %s/playground.wasm is missing; run `make build` (or `make serve`)\n", *dir)
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	logger := log.New(stderr, "", log.LstdFlags)
	flight := newInFlight()
	mux := http.NewServeMux()
	mux.Handle("/", newHandler(root, *frame))
	if *originOn {
		mux.Handle(originPrefix, newOrigin())
	}
	srv := &http.Server{
		Handler:           logRequests(logger, flight, refuseLongURLs(mux)),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       60 * time.Second,
		// Big enough that an over-long URL reaches refuseLongURLs, which
		// says what happened, instead of net/http's bare 431.
		MaxHeaderBytes: maxHeaderBytes,
		ErrorLog:       logger,
	}
	fmt.Fprintf(stdout, "Serving %s at %s (Ctrl-C to stop)\n", *dir, localURL(ln.Addr()))
	if note := exposure(ln.Addr()); note != "" {
		fmt.Fprintln(stderr, "playground:", note)
	}

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	case <-sig:
	}
	fmt.Fprintf(stdout, "Shutting down: running requests have %v to finish (Ctrl-C again to stop now)\n", *drain)
	drainCtx, cancel := context.WithTimeout(context.Background(), *drain)
	defer cancel()
	shut := make(chan error, 1)
	go func() { shut <- srv.Shutdown(drainCtx) }()
	var cut string
	select {
	case err := <-shut:
		if err == nil {
			break
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		cut = fmt.Sprintf("the %v drain ended", *drain)
	case <-sig:
		cut = "a second interrupt came"
	}
	if cut != "" {
		running := flight.list()
		srv.Close()
		if len(running) == 0 {
			fmt.Fprintf(stderr, "playground: %s; closed the idle connections\n", cut)
		} else {
			fmt.Fprintf(stderr, "playground: %s; cut off %d request(s) still running: %s\n", cut, len(running), strings.Join(running, "; "))
		}
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// localURL is the address to open on this machine: an unspecified host
// (every interface) is reached as 127.0.0.1.
func localURL(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return "http://" + a.String() + "/"
	}
	host := tcp.IP.String()
	if tcp.IP == nil || tcp.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, fmt.Sprint(tcp.Port)) + "/"
}

// exposure says when the server is reachable from other machines: listening
// on every interface (-addr "", ":0", "0.0.0.0:0") or on one that is not
// loopback.
func exposure(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok || (tcp.IP != nil && tcp.IP.IsLoopback()) {
		return ""
	}
	if tcp.IP == nil || tcp.IP.IsUnspecified() {
		return fmt.Sprintf("listening on every network interface (%s): other machines can reach this server; use -addr 127.0.0.1:%d for this machine only", a, tcp.Port)
	}
	return fmt.Sprintf("listening on %s, which is not loopback: other machines can reach this server; use -addr 127.0.0.1:%d for this machine only", a, tcp.Port)
}

// checkFrameAncestors accepts a frame-ancestors value only if it can go into
// the CSP header as it is: printable ASCII, none of the characters that end
// a directive or a header (; , " and line breaks).
func checkFrameAncestors(v string) error {
	bad := v == "" || strings.TrimSpace(v) == ""
	for _, r := range v {
		if r < 0x20 || r > 0x7e || strings.ContainsRune(";,\"", r) {
			bad = true
		}
	}
	if bad {
		return fmt.Errorf("-frame-ancestors %+q: want a space-separated list of sources in printable ASCII without ; , or \", such as '*', \"'self' https://course.example\" or \"'none'\"", v)
	}
	return nil
}
