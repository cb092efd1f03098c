package idempotency

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/nrm-project/nrm/pkg/kit"
)

// Header is the request header carrying the key.
const Header = "Idempotency-Key"

// MaxKeyLength bounds a key: a UUID is 36 characters.
const MaxKeyLength = 255

// Stable error codes.
const (
	CodeKeyInvalid = "idempotency_key_invalid"
	CodeKeyReused  = "idempotency_key_reused"
	CodeKeyInUse   = "idempotency_key_in_use"
)

// Errors a client may see.
var (
	ErrKeyInvalid = kit.NewError(http.StatusBadRequest, CodeKeyInvalid,
		"Idempotency-Key: must be 1 to 255 printable ASCII characters (a UUID is recommended)")
	ErrKeyReused = kit.NewError(http.StatusUnprocessableEntity, CodeKeyReused,
		"Idempotency-Key: already used for a different request; use a new key for a new request")
	ErrKeyInUse = &kit.Error{Status: http.StatusConflict, Code: CodeKeyInUse,
		Message: "Idempotency-Key: a request with this key is still being carried out; retry later", RetryAfter: time.Second}
)

// ParseKey returns the key of a header value: 1 to MaxKeyLength printable
// ASCII characters, optionally quoted as the draft's structured-field
// string ("..."), which is unquoted.
func ParseKey(v string) (string, error) {
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		v = v[1 : len(v)-1]
	}
	if v == "" || len(v) > MaxKeyLength || strings.ContainsRune(v, '"') || strings.ContainsRune(v, '\\') {
		return "", ErrKeyInvalid
	}
	for i := 0; i < len(v); i++ {
		if v[i] < 0x20 || v[i] > 0x7e {
			return "", ErrKeyInvalid
		}
	}
	return v, nil
}

type keyCtx struct{}

// header is what a request said: a key, or a header that was present but
// not a valid key (the error surfaces where the key is used).
type header struct {
	key string
	err error
}

// WithKey returns ctx carrying key for the next creating call made with it
// (an in-process service, or an HTTP client that forwards it).
func WithKey(ctx context.Context, key string) context.Context {
	k, err := ParseKey(key)
	return context.WithValue(ctx, keyCtx{}, header{k, err})
}

// KeyFrom returns the key ctx carries; ok is false when there is none. A
// malformed key is ErrKeyInvalid.
func KeyFrom(ctx context.Context) (key string, ok bool, err error) {
	h, ok := ctx.Value(keyCtx{}).(header)
	if !ok {
		return "", false, nil
	}
	return h.key, true, h.err
}

// withoutKey hides the key of ctx from the calls made while carrying out
// the request: another service's write it calls is not keyed by it.
func withoutKey(ctx context.Context) context.Context {
	if _, ok := ctx.Value(keyCtx{}).(header); !ok {
		return ctx
	}
	return context.WithValue(ctx, keyCtx{}, nil)
}

// KeyToContext is a go-kit ServerBefore function: the request's key, if it
// sent the header at all (an empty header is a malformed key).
func KeyToContext(ctx context.Context, r *http.Request) context.Context {
	vs, ok := r.Header[http.CanonicalHeaderKey(Header)]
	if !ok {
		return ctx
	}
	if len(vs) != 1 {
		return context.WithValue(ctx, keyCtx{}, header{err: ErrKeyInvalid})
	}
	return WithKey(ctx, vs[0])
}

// KeyToHTTP is a go-kit ClientBefore function forwarding the key of ctx
// on a POST (a client of another process's service).
func KeyToHTTP(ctx context.Context, r *http.Request) context.Context {
	if key, ok, err := KeyFrom(ctx); ok && err == nil && r.Method == http.MethodPost {
		r.Header.Set(Header, `"`+key+`"`)
	}
	return ctx
}
