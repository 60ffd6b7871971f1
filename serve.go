// Command playground serves the Go shared-state playground: a static page in
// which Go compiled to WebAssembly runs a concurrent cache and pool.
//
// Usage:
//
//	go run . [-addr 127.0.0.1:8080] [-dir web] [-frame-ancestors '*']
//
// It serves the files of one folder and nothing else: no directory
// listings, no dotfiles, no path that leaves the folder (symbolic links
// included). It listens on the loopback interface unless told otherwise, and
// shuts down cleanly on Ctrl-C.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log"
	"mime"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path"
	"strings"
	"syscall"
	"time"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "playground:", err)
		os.Exit(1)
	}
}

// run parses args, serves until ctx ends or the process gets SIGINT or
// SIGTERM, then shuts the server down.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("playground", flag.ContinueOnError)
	flags.SetOutput(stderr)
	addr := flags.String("addr", "127.0.0.1:8080", "address to listen on (host:port; port 0 picks a free one)")
	dir := flags.String("dir", "web", "folder to serve")
	frame := flags.String("frame-ancestors", "*", "CSP frame-ancestors: the sites allowed to embed the page in a frame ('none' forbids it)")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if flags.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (flags are -addr, -dir and -frame-ancestors)", flags.Arg(0))
	}
	if err := checkFrameAncestors(*frame); err != nil {
		return err
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
	srv := &http.Server{
		Handler:           logRequests(logger, newHandler(root.FS(), *frame)),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          logger,
	}
	fmt.Fprintf(stdout, "Serving %s at http://%s/ (Ctrl-C to stop)\n", *dir, ln.Addr())

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	fmt.Fprintln(stdout, "Shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// checkFrameAncestors rejects a frame-ancestors value that could break out of
// the CSP header.
func checkFrameAncestors(v string) error {
	if v == "" || strings.ContainsAny(v, ";,\r\n\"") {
		return fmt.Errorf("-frame-ancestors %q: want a space-separated list of sources, such as '*', \"'self' https://course.example\" or \"'none'\"", v)
	}
	return nil
}

// contentSecurityPolicy allows only the page's own scripts, workers and
// styles, WebAssembly compilation ('wasm-unsafe-eval'), and framing by the
// given ancestors.
func contentSecurityPolicy(frameAncestors string) string {
	return "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; " +
		"style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; " +
		"base-uri 'none'; form-action 'none'; frame-ancestors " + frameAncestors
}

// newHandler serves the files of fsys. Directories are served only through
// their index.html; names starting with a dot are not found.
func newHandler(fsys fs.FS, frameAncestors string) http.Handler {
	files := http.FileServerFS(fsys)
	csp := contentSecurityPolicy(frameAncestors)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", csp)
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		// Course pages load embed.js (and the module it imports) from their
		// own origin as module scripts, which are fetched with CORS.
		h.Set("Access-Control-Allow-Origin", "*")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		name := path.Clean("/" + r.URL.Path)
		if strings.Contains(r.URL.Path, "\\") || hasDotSegment(name) {
			http.NotFound(w, r)
			return
		}
		rel := strings.TrimPrefix(name, "/")
		if rel == "" {
			rel = "."
		}
		info, err := fs.Stat(fsys, rel)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		if info.IsDir() {
			if _, err := fs.Stat(fsys, path.Join(rel, "index.html")); err != nil {
				http.NotFound(w, r) // no listings
				return
			}
		}
		switch {
		case strings.HasSuffix(name, ".wasm"):
			h.Set("Content-Type", "application/wasm")
		case strings.HasSuffix(name, ".js"):
			h.Set("Content-Type", "text/javascript; charset=utf-8")
		}
		h.Set("Cache-Control", "no-cache")
		if !info.IsDir() && servePrecompressed(w, r, fsys, rel, info) {
			return
		}
		files.ServeHTTP(w, r)
	})
}

// servePrecompressed serves rel.gz in place of rel, with Content-Encoding:
// gzip, when the client accepts gzip and `make build` left a .gz beside a
// file that is not newer than it. It reports whether it served the request.
func servePrecompressed(w http.ResponseWriter, r *http.Request, fsys fs.FS, rel string, info fs.FileInfo) bool {
	w.Header().Add("Vary", "Accept-Encoding")
	if !acceptsGzip(r.Header.Get("Accept-Encoding")) || r.Header.Get("Range") != "" {
		return false
	}
	gz, err := fsys.Open(rel + ".gz")
	if err != nil {
		return false
	}
	defer gz.Close()
	gzInfo, err := gz.Stat()
	if err != nil || gzInfo.IsDir() || gzInfo.ModTime().Before(info.ModTime()) {
		return false // missing, or stale beside a newer build
	}
	content, ok := gz.(io.ReadSeeker)
	if !ok {
		return false
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", mime.TypeByExtension(path.Ext(rel)))
	}
	w.Header().Set("Content-Encoding", "gzip")
	http.ServeContent(w, r, rel, info.ModTime(), content)
	return true
}

// acceptsGzip reports whether an Accept-Encoding header allows gzip.
func acceptsGzip(header string) bool {
	for part := range strings.SplitSeq(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), "gzip") {
			continue
		}
		q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}

// hasDotSegment reports whether a cleaned path names a dotfile or a file
// inside a dot folder.
func hasDotSegment(p string) bool {
	for seg := range strings.SplitSeq(p, "/") {
		if strings.HasPrefix(seg, ".") {
			return true
		}
	}
	return false
}

// statusRecorder remembers the status and size of a response for the log.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += int64(n)
	return n, err
}

// logRequests logs one line per request: method, path, status, bytes and
// duration.
func logRequests(l *log.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		l.Printf("%s %s %d %dB %s", r.Method, sanitize(r.URL.RequestURI()), rec.status, rec.bytes, time.Since(start).Round(time.Microsecond))
	})
}

// sanitize keeps control characters from a request out of the log.
func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, s)
}
