package page

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
)

func TestStaticFilesGzippedForBrowsersThatAcceptIt(t *testing.T) {
	dir := os.DirFS("../static") // the web package's files
	h := staticFiles(dir)
	for _, tc := range []struct {
		path, accept string
		gzipped      bool
	}{
		{"/htmx.min.js", "gzip, deflate, br", true},
		{"/app.css", "br;q=1.0, gzip;q=0.8", true},
		{"/app.css", "", false},
		{"/app.css", "gzip;q=0", false},
		{"/htmx.LICENSE", "gzip", false},
	} {
		t.Run(tc.path+" "+tc.accept, func(t *testing.T) {
			r := httptest.NewRequest("GET", tc.path, nil)
			if tc.accept != "" {
				r.Header.Set("Accept-Encoding", tc.accept)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != http.StatusOK {
				t.Fatalf("status %d", w.Code)
			}
			want, _ := fs.ReadFile(dir, tc.path[1:])
			body := w.Body.Bytes()
			if got := w.Header().Get("Content-Encoding") == "gzip"; got != tc.gzipped {
				t.Fatalf("gzipped %v, want %v", got, tc.gzipped)
			}
			if tc.gzipped {
				zr, err := gzip.NewReader(bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				if body, err = io.ReadAll(zr); err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(body, want) {
				t.Fatalf("body differs from the file (%d bytes, want %d)", len(body), len(want))
			}
		})
	}
}
