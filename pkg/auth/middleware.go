package auth

import (
	"context"
	"net/http"
	"strings"

	"github.com/go-kit/kit/endpoint"

	"github.com/nrm-project/nrm/pkg/kit"
)

// Authenticator turns a bearer token into the principal it was issued to,
// refusing expired, revoked or badly signed tokens.
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (Principal, error)
}

type tokenKey struct{}

// TokenToContext is a go-kit ServerBefore function that stores the bearer
// token of the Authorization header (if any) in the context.
func TokenToContext(ctx context.Context, r *http.Request) context.Context {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return context.WithValue(ctx, tokenKey{}, strings.TrimSpace(h[7:]))
	}
	return ctx
}

// TokenFromContext returns the bearer token TokenToContext stored.
func TokenFromContext(ctx context.Context) string {
	s, _ := ctx.Value(tokenKey{}).(string)
	return s
}

// TokenToHTTP is a go-kit ClientBefore function that forwards the original
// caller's token, so the callee authorises the same identity.
func TokenToHTTP(ctx context.Context, r *http.Request) context.Context {
	if p, ok := FromContext(ctx); ok && p.Token != "" {
		r.Header.Set("Authorization", "Bearer "+p.Token)
	} else if t := TokenFromContext(ctx); t != "" {
		r.Header.Set("Authorization", "Bearer "+t)
	}
	return ctx
}

// Middleware returns an endpoint middleware that authenticates the bearer
// token in the context and puts the principal in its place. Without a
// valid token the request ends with kit.ErrUnauthenticated.
func Middleware(a Authenticator) endpoint.Middleware {
	return func(next endpoint.Endpoint) endpoint.Endpoint {
		return func(ctx context.Context, request any) (any, error) {
			if _, ok := FromContext(ctx); ok { // in-process call from a peer service
				return next(ctx, request)
			}
			tok := TokenFromContext(ctx)
			if tok == "" {
				return nil, kit.ErrUnauthenticated
			}
			p, err := a.Authenticate(ctx, tok)
			if err != nil && kit.AsError(err).Status == http.StatusServiceUnavailable {
				return nil, err // cannot tell yet: retry, do not sign in again
			} else if err != nil {
				return nil, kit.ErrUnauthenticated
			}
			p.Token = tok
			return next(WithPrincipal(ctx, p), request)
		}
	}
}

// System returns the principal of an operator acting from the command line
// (nrm orgs add, nrm users add): a system administrator with no
// organisation, recorded in the audit log as "cli".
func System() Principal {
	return Principal{UserID: "cli", Roles: []string{RoleSystemAdmin}}
}

// Subject returns the user and organisation of the principal in ctx, for
// per-user and per-organisation rate limits.
func Subject(ctx context.Context) (user, org string) {
	p, _ := FromContext(ctx)
	return p.UserID, p.OrgID
}
