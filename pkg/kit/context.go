package kit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/http"
	"regexp"
)

type ctxKey int

const (
	requestIDKey ctxKey = iota
	clientAddrKey
)

// RequestIDHeader carries the request id in and out.
const RequestIDHeader = "X-Request-Id"

// validRequestID is the format a client's request id must have to be kept:
// a UUID, or 32 hex digits as NewRequestID makes. The id is written to logs
// and to the append-only audit log, so no free text may pass (a name or a
// birth date in a request id could never be erased).
var validRequestID = regexp.MustCompile(`^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[0-9a-fA-F]{32})$`)

// NewRequestID returns a random 128-bit id in hex.
func NewRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// WithRequestID returns ctx carrying id.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey, id)
}

// RequestID returns the request id in ctx, or "".
func RequestID(ctx context.Context) string {
	s, _ := ctx.Value(requestIDKey).(string)
	return s
}

// WithClientAddr returns ctx carrying the client's IP address.
func WithClientAddr(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, clientAddrKey, addr)
}

// ClientAddr returns the client's IP address in ctx, or "".
func ClientAddr(ctx context.Context) string {
	s, _ := ctx.Value(clientAddrKey).(string)
	return s
}

// RequestContext is an http.Handler middleware that puts the request id
// (taken from an X-Request-Id header holding a UUID or 32 hex digits,
// else new) and the client
// address into the request context and echoes the id in the response.
// Forwarded headers are not trusted (see TrustedProxies.RequestContext).
func RequestContext(next http.Handler) http.Handler { return TrustedProxies(nil).RequestContext(next) }

// RequestContext is kit.RequestContext taking the client address from
// X-Forwarded-For when the peer is one of tp (ClientAddr).
func (tp TrustedProxies) RequestContext(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(RequestIDHeader)
		if !validRequestID.MatchString(id) {
			id = NewRequestID()
		}
		w.Header().Set(RequestIDHeader, id)
		ctx := WithClientAddr(WithRequestID(r.Context(), id), tp.ClientAddr(r))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// PopulateContext is a go-kit ServerBefore function copying the request id
// and client address that RequestContext stored; it exists so go-kit
// servers used without RequestContext (in tests) still get an id.
func PopulateContext(ctx context.Context, r *http.Request) context.Context {
	if RequestID(ctx) == "" {
		ctx = WithRequestID(ctx, NewRequestID())
	}
	if ClientAddr(ctx) == "" {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		ctx = WithClientAddr(ctx, host)
	}
	return ctx
}
