package main

import (
	"errors"
	"io/fs"
	"mime"
	"net/http"
	"os"
	"path"
	"strings"
	"syscall"
)

// contentSecurityPolicy allows only the page's own scripts, workers and
// styles, WebAssembly compilation ('wasm-unsafe-eval'), and framing by the
// given ancestors.
func contentSecurityPolicy(frameAncestors string) string {
	return "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; " +
		"style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; " +
		"base-uri 'none'; form-action 'none'; frame-ancestors " + frameAncestors
}

// newHandler serves the regular files of root. A directory is served only
// through its index.html; a name starting with a dot is not found, whether
// it is asked for or a symbolic link leads to it; so is anything that is not
// a regular file (a FIFO would block the request, a device worse).
//
// Every answer allows any origin to read it (Access-Control-Allow-Origin:
// *, as GitHub Pages does): the files are public, and a course page on
// another origin loads embed.js as a module, which is a CORS request.
func newHandler(root *os.Root, frameAncestors string) http.Handler {
	csp := contentSecurityPolicy(frameAncestors)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", csp)
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Resource-Policy", "cross-origin")
		h.Set("Access-Control-Allow-Origin", "*")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		if strings.Contains(r.URL.Path, "\\") {
			http.NotFound(w, r)
			return
		}
		rel, info, err := lookup(root, strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		if info.IsDir() {
			dir := rel
			if rel, info, err = lookup(root, path.Join(dir, "index.html")); err != nil || info.IsDir() {
				http.NotFound(w, r) // no listings
				return
			}
			if !strings.HasSuffix(r.URL.Path, "/") {
				// Relative, so that it holds under any prefix.
				target := path.Base(r.URL.Path) + "/"
				if r.URL.RawQuery != "" {
					target += "?" + r.URL.RawQuery
				}
				http.Redirect(w, r, target, http.StatusMovedPermanently)
				return
			}
		}
		// The type is the served file's: a folder named x.js/ serves its
		// index.html as HTML.
		h.Set("Content-Type", contentType(rel))
		h.Set("Cache-Control", "no-cache")
		serveFile(w, r, root, rel, info)
	})
}

// contentType is the media type for a file name. .js and .wasm are fixed
// here: the system's MIME tables vary, and a module or a wasm streamed
// compile is refused under any other type.
func contentType(name string) string {
	switch path.Ext(name) {
	case ".wasm":
		return "application/wasm"
	case ".js", ".mjs":
		return "text/javascript; charset=utf-8"
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

var (
	errHidden  = errors.New("a dotfile")
	errOutside = errors.New("outside the folder")
	errLoop    = errors.New("too many symbolic links")
	errKind    = errors.New("not a regular file or a folder")
)

// lookup resolves name inside root one segment at a time, following
// symbolic links itself, so that the rules hold for where a link leads and
// not only for the name asked: no segment of the resolved path may start
// with a dot, none may climb out of the folder (an absolute link target is
// refused outright), and the end must be a regular file or a folder. It
// returns the resolved name, free of links, and what it is.
func lookup(root *os.Root, name string) (string, fs.FileInfo, error) {
	todo := strings.Split(name, "/")
	var done []string
	links := 0
	for len(todo) > 0 {
		seg := todo[0]
		todo = todo[1:]
		switch {
		case seg == "" || seg == ".":
			continue
		case seg == "..":
			if len(done) == 0 {
				return "", nil, errOutside
			}
			done = done[:len(done)-1]
			continue
		case strings.HasPrefix(seg, "."):
			return "", nil, errHidden
		}
		p := path.Join(append(done, seg)...)
		info, err := root.Lstat(p)
		if err != nil {
			return "", nil, err
		}
		if info.Mode()&fs.ModeSymlink == 0 {
			done = append(done, seg)
			continue
		}
		if links++; links > 40 {
			return "", nil, errLoop
		}
		target, err := root.Readlink(p)
		if err != nil {
			return "", nil, err
		}
		if strings.HasPrefix(target, "/") || strings.Contains(target, "\\") {
			return "", nil, errOutside
		}
		todo = append(strings.Split(target, "/"), todo...)
	}
	rel := path.Join(done...)
	if rel == "" {
		rel = "."
	}
	info, err := root.Lstat(rel)
	if err != nil {
		return "", nil, err
	}
	if !info.Mode().IsRegular() && !info.IsDir() {
		return "", nil, errKind
	}
	return rel, info, nil
}

// openRegular opens a file lookup found, without blocking if it has been
// replaced by a FIFO since (O_NONBLOCK), and checks again that what it
// opened is a regular file.
func openRegular(root *os.Root, rel string) (*os.File, fs.FileInfo, error) {
	f, err := root.OpenFile(rel, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, nil, err
	}
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() {
		f.Close()
		return nil, nil, errKind
	}
	return f, info, nil
}
