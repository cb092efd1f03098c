package main

import (
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// endlessBody trickles bytes until closed, as a client holding a
// connection open with a body that never ends would.
type endlessBody struct{ done chan struct{} }

func (b endlessBody) Read(p []byte) (int, error) {
	select {
	case <-b.done:
		return 0, io.EOF
	case <-time.After(5 * time.Millisecond):
	}
	p[0] = ' '
	return 1, nil
}

// A request without a token is refused with 401 before its body is read:
// an endless body gets its answer at once instead of holding the server
// until its read timeout (or taking in a megabyte first). Public routes
// still read theirs.
func TestRequestWithoutTokenRefusedBeforeItsBody(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	s := startServer(t, "--data", filepath.Join(root, "data"), "--keys", filepath.Join(root, "keys"))
	// Straight to the server: the contract checker in front reads whole bodies.
	direct := regexp.MustCompile(`listening on (http://[0-9.:]+)`).FindStringSubmatch(s.stdout.String())[1]
	for _, tc := range []struct {
		path  string
		token string
		want  int
	}{
		{"/api/v1/cases", "", http.StatusUnauthorized},
		{"/api/v1/referrals", "", http.StatusUnauthorized},
		{"/api/v1/users", "", http.StatusUnauthorized},
		{"/api/v1/auth/login/../../cases", "", http.StatusUnauthorized},
	} {
		t.Run(strings.TrimPrefix(tc.path, "/api/v1/"), func(t *testing.T) {
			body := endlessBody{done: make(chan struct{})}
			defer close(body.done)
			req, err := http.NewRequest("POST", direct+tc.path, body)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			start := time.Now()
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.want || !strings.Contains(string(b), `"unauthenticated"`) {
				t.Fatalf("%d %s", resp.StatusCode, b)
			}
			if took := time.Since(start); took > 10*time.Second {
				t.Errorf("answered after %v", took)
			}
		})
	}
	// The login route reads its body: a bad one is a 400, not a 401.
	if st, b := call(t, "POST", s.base+"/api/v1/auth/login", "", map[string]any{"email": 1}); st != http.StatusBadRequest {
		t.Fatalf("login with a bad body: %d %s", st, b)
	}
}
