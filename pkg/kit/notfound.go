package kit

import (
	"net/http"
	"strings"
)

// ErrMethodNotAllowed answers a known path asked with the wrong method.
var ErrMethodNotAllowed = NewError(http.StatusMethodNotAllowed, CodeMethodNotAllowed, "method not allowed on this path")

// JSONErrors turns the plain-text 404 and 405 answers of http.ServeMux
// into the JSON error shape every client expects.
func JSONErrors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(&plainErrorWriter{ResponseWriter: w}, r)
	})
}

type plainErrorWriter struct {
	http.ResponseWriter
	swallow bool
}

func (w *plainErrorWriter) WriteHeader(code int) {
	if (code == http.StatusNotFound || code == http.StatusMethodNotAllowed) &&
		strings.HasPrefix(w.Header().Get("Content-Type"), "text/plain") {
		w.swallow = true
		w.Header().Del("Content-Length")
		if code == http.StatusNotFound {
			WriteError(w.ResponseWriter, ErrNotFound)
		} else {
			WriteError(w.ResponseWriter, ErrMethodNotAllowed)
		}
		return
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *plainErrorWriter) Write(b []byte) (int, error) {
	if w.swallow {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

func (w *plainErrorWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
