package identity_test

import (
	"context"
	"net/http"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
)

var timeNow = time.Now

// contextWithToken returns a context carrying token as a bearer token, as
// the HTTP transport would.
func contextWithToken(token string) context.Context {
	r, _ := http.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Authorization", "Bearer "+token)
	return auth.TokenToContext(context.Background(), r)
}
