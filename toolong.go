package main

import (
	"fmt"
	"net/http"
)

const (
	// maxURLBytes is the longest request target served. The playground's
	// own links are a few hundred bytes.
	maxURLBytes = 8 << 10
	// maxHeaderBytes lets a URL far over maxURLBytes (a pasted link of
	// 100,000 characters) reach refuseLongURLs instead of net/http's bare
	// "431 Request Header Fields Too Large".
	maxHeaderBytes = 1 << 20
)

// refuseLongURLs answers a request whose URL is over maxURLBytes with 414
// and a short page that says what happened and how to go on. The page does
// not echo the URL: it gives only its length.
func refuseLongURLs(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n := len(r.RequestURI); n > maxURLBytes {
			h := w.Header()
			h.Set("Content-Type", "text/html; charset=utf-8")
			h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusRequestURITooLong)
			fmt.Fprintf(w, `<!doctype html>
<html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Link too long</title>
<style>body{font:1rem/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}</style>
<h1>This link is too long</h1>
<p>The address has %d characters; this server takes at most %d. A playground link is a few hundred
characters long: this one may have been pasted twice or joined with other text.</p>
<p><a href="/">Open the playground</a> and set the scene again, or ask for a fresh link.</p>
`, n, maxURLBytes)
			return
		}
		next.ServeHTTP(w, r)
	})
}
