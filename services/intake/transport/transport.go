package transport

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"

	"github.com/go-kit/kit/endpoint"
	httptransport "github.com/go-kit/kit/transport/http"

	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake/casefile"
)

// Handle is how intake's handler mounts a route: pattern, endpoint,
// decoder and success status; the server options, the response encoder and
// the error answers are intake's, one for all.
type Handle func(pattern string, ep endpoint.Endpoint, dec httptransport.DecodeRequestFunc, status int)

// Guard puts an endpoint behind the token and the role the enforcer
// allows for its object and action (intake's MakeServerEndpoints gives it).
type Guard func(object, action string, e endpoint.Endpoint) endpoint.Endpoint

// Call sends one request to intake's API: segments are joined onto
// /api/v1 and escaped; body, when not nil, is sent as JSON; a status other
// than ok is returned as the server's *kit.Error; out, when not nil,
// receives the body. Intake's client gives it, with its address, HTTP
// client and headers.
type Call func(ctx context.Context, method string, ok int, query url.Values, body, out any, segments ...string) error

// PathID returns the path value name, or kit.ErrNotFound when it is not a
// UUID: a malformed id names nothing the caller could see.
func PathID(r *http.Request, name string) (string, error) {
	id := r.PathValue(name)
	if !casefile.ValidID(id) {
		return "", kit.ErrNotFound
	}
	return id, nil
}

// BodyID checks an id given in a request body.
func BodyID(field, id string) error {
	if !casefile.ValidID(id) {
		return kit.Validation(field + " must be a UUID")
	}
	return nil
}

// CheckIDs answers ErrNotFound for an id the server would not route, as
// the server itself would, without a round trip.
func CheckIDs(ids ...string) error {
	for _, id := range ids {
		if !casefile.ValidID(id) {
			return casefile.ErrNotFound
		}
	}
	return nil
}

// NoBody refuses a body on a request that takes none, so a field sent
// there (a "status", an "owner_org") is refused rather than ignored. An
// empty body or an empty object passes.
func NoBody(r *http.Request) error {
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		return nil
	}
	br := bufio.NewReader(r.Body)
	if _, err := br.Peek(1); errors.Is(err, io.EOF) {
		return nil
	}
	r.Body = struct {
		io.Reader
		io.Closer
	}{br, r.Body}
	return kit.DecodeJSON(nil, r, &struct{}{})
}

// DecodeNoRequest decodes a request that names nothing and takes no body.
func DecodeNoRequest(_ context.Context, r *http.Request) (any, error) {
	return struct{}{}, NoBody(r)
}

// CaseID reads the case id from the path of a request that takes no body.
func CaseID(r *http.Request) (string, error) {
	id, err := PathID(r, "id")
	if err != nil {
		return "", err
	}
	return id, NoBody(r)
}

// DecodeBody decodes the path id and a JSON body of type T (through
// kit.DecodeJSON: one object, known fields only, right types, bounded
// size) into the request build makes of them.
func DecodeBody[T any](build func(id string, in T) any) httptransport.DecodeRequestFunc {
	return func(_ context.Context, r *http.Request) (any, error) {
		id, err := PathID(r, "id")
		if err != nil {
			return nil, err
		}
		var in T
		if err := kit.DecodeJSON(nil, r, &in); err != nil {
			return nil, err
		}
		return build(id, in), nil
	}
}
