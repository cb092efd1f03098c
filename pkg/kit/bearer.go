package kit

import (
	"net/http"
	"path"
	"strings"
)

// BearerFirst answers a request under /api/ that carries no bearer token
// with 401 before anything reads its body: a client without a token
// cannot make the server take in (or wait for) a large or endless body.
// The public routes are exempt: a path equal to an entry, or under an
// entry ending in "/". So are the paths mux sends to its "/api/" catch-all
// (unknown routes: 404 for everyone). A token present is checked later,
// as usual.
func BearerFirst(public []string, mux *http.ServeMux, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/api/") || hasBearer(r) || isPublic(public, r.URL.Path) || unknownRoute(mux, r) {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("WWW-Authenticate", "Bearer")
		w.Header().Set("Connection", "close") // the body is left unread
		WriteError(w, ErrUnauthenticated)
	})
}

func hasBearer(r *http.Request) bool {
	h := r.Header.Get("Authorization")
	return len(h) > 7 && strings.EqualFold(h[:7], "bearer ") && strings.TrimSpace(h[7:]) != ""
}

func isPublic(public []string, p string) bool {
	p = path.Clean(p)
	for _, e := range public {
		if p == strings.TrimSuffix(e, "/") || (strings.HasSuffix(e, "/") && strings.HasPrefix(p, e)) {
			return true
		}
	}
	return false
}

func unknownRoute(mux *http.ServeMux, r *http.Request) bool {
	_, pattern := mux.Handler(r)
	return pattern == "/api/"
}
