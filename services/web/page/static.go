package page

import (
	"bytes"
	"compress/gzip"
	"io/fs"
	"net/http"
	"strings"
)

// staticFiles serves the style sheet and htmx, gzipped once at start for
// browsers that accept it: on a slow phone connection they are most of
// the first page's bytes. Pages themselves are not compressed: they carry
// the form token beside text the user typed, and compressing both
// Together would let a watcher of the sizes guess the token (BREACH).
func staticFiles(dir fs.FS) http.Handler {
	files := http.FileServerFS(dir)
	gz := map[string][]byte{}
	_ = fs.WalkDir(dir, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !(strings.HasSuffix(name, ".css") || strings.HasSuffix(name, ".js")) {
			return nil
		}
		b, err := fs.ReadFile(dir, name)
		if err != nil {
			return nil
		}
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		_, _ = zw.Write(b)
		if zw.Close() == nil {
			gz[name] = buf.Bytes()
		}
		return nil
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The files change only with the binary, and say nothing about anyone.
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.Header().Add("Vary", "Accept-Encoding")
		if b, ok := gz[strings.TrimPrefix(r.URL.Path, "/")]; ok && acceptsGzip(r) {
			ct := "text/css; charset=utf-8"
			if strings.HasSuffix(r.URL.Path, ".js") {
				ct = "text/javascript; charset=utf-8"
			}
			w.Header().Set("Content-Type", ct)
			w.Header().Set("Content-Encoding", "gzip")
			_, _ = w.Write(b)
			return
		}
		files.ServeHTTP(w, r)
	})
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") && strings.ReplaceAll(strings.TrimSpace(q), " ", "") != "q=0" {
			return true
		}
	}
	return false
}
