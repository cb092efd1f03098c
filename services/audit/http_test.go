package audit

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/go-kit/kit/endpoint"
	"github.com/go-kit/log"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/authz"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/pkg/kit/contract"
)

// testAuthn takes the principal from test headers instead of a token.
func testAuthn(next endpoint.Endpoint) endpoint.Endpoint {
	return func(ctx context.Context, req any) (any, error) {
		return next(ctx, req)
	}
}

func serve(t *testing.T, f *fixture) *httptest.Server {
	t.Helper()
	enf, err := authz.Load("")
	if err != nil {
		t.Fatal(err)
	}
	h := MakeHTTPHandler(MakeEndpoints(f.log, testAuthn, enf, f.log), log.NewNopLogger())
	srv := httptest.NewServer(contract.Handler(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if u := r.Header.Get("X-Test-User"); u != "" {
			ctx = auth.WithPrincipal(ctx, auth.Principal{UserID: u, OrgID: "org-9", Roles: strings.Split(r.Header.Get("X-Test-Roles"), ",")})
		}
		h.ServeHTTP(w, r.WithContext(ctx))
	})))
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, srv *httptest.Server, path, user, role string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	req.Header.Set("X-Test-User", user)
	req.Header.Set("X-Test-Roles", role)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestHTTPAuthorisation(t *testing.T) {
	t.Parallel()
	paths := []string{
		"/api/v1/audit/events?object_type=case",
		"/api/v1/audit/checkpoints/latest",
		"/api/v1/audit/consistency?from=1&to=3",
		"/api/v1/audit/alerts",
	}
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		f := newFixture(t, e, nil)
		f.append(t, "intake", 3)
		f.checkpoint(t)
		srv := serve(t, f)
		for _, role := range auth.AllRoles {
			for _, p := range paths {
				t.Run(role+p, func(t *testing.T) {
					user := "user-" + role
					code, _ := get(t, srv, p, user, role)
					want := http.StatusForbidden
					if role == auth.RoleAuditor {
						want = http.StatusOK
					}
					if code != want {
						t.Fatalf("status %d, want %d", code, want)
					}
					outcome := "denied"
					if want == http.StatusOK {
						outcome = "allowed"
					}
					after := int64(-1)
					es, err := f.log.Events(auth.WithPrincipal(f.ctx, auth.Principal{UserID: "check", Roles: []string{auth.RoleAuditor}}),
						Query{Actor: user, Outcome: outcome, After: &after, Limit: 1000})
					if err != nil {
						t.Fatal(err)
					}
					if len(es.Events) == 0 {
						t.Errorf("no %s event for %s in the log", outcome, user)
					}
				})
			}
		}
	})
}

func TestHTTPAuditorQueryAndClient(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		f := newFixture(t, e, nil)
		f.append(t, "intake", 5)
		f.checkpoint(t)
		srv := serve(t, f)
		c, err := NewClient(srv.URL, &http.Client{Transport: headerTransport{}})
		if err != nil {
			t.Fatal(err)
		}
		p, err := c.Events(f.ctx, Query{Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Events) != 2 || p.Next == nil || *p.Next != 1 {
			t.Fatalf("page = %d events, next %v; want 2 and cursor 1", len(p.Events), p.Next)
		}
		p2, err := c.Events(f.ctx, Query{After: p.Next, Limit: 2})
		if err != nil || len(p2.Events) != 2 || p2.Events[0].Index != 2 {
			t.Fatalf("second page = %+v, %v", p2, err)
		}
		// The auditor's reads are in the log.
		after := int64(-1)
		reads, err := queryEntries(f.ctx, f.db, Query{Actor: "aud-1", Action: "audit.events.read", After: &after, Limit: 10})
		if err != nil || len(reads) != 2 {
			t.Fatalf("auditor reads in log = %d, %v; want 2", len(reads), err)
		}
		if _, err := c.Events(f.ctx, Query{Outcome: "perhaps"}); !errors.Is(err, ErrBadQuery) {
			t.Errorf("bad query: %v, want ErrBadQuery", err)
		}
		if _, err := c.Proof(f.ctx, "00000000-0000-4000-8000-000000000000", 0); !errors.Is(err, kit.ErrNotFound) {
			t.Errorf("unknown event: %v, want not found", err)
		}
		// Independent check of what the service publishes.
		cpText, err := c.LatestCheckpoint(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		f.append(t, "intake", 6)
		cp2 := f.checkpoint(t)
		pub, err := os.ReadFile(filepath.Join(f.keys.Path(), PubFile))
		if err != nil {
			t.Fatal(err)
		}
		v, err := note.NewVerifier(strings.TrimSpace(string(pub)))
		if err != nil {
			t.Fatal(err)
		}
		open := func(msg []byte) (int64, tlog.Hash) {
			t.Helper()
			n, err := note.Open(msg, note.VerifierList(v))
			if err != nil {
				t.Fatalf("checkpoint signature: %v", err)
			}
			lines := strings.Split(n.Text, "\n")
			if lines[0] != DefaultOrigin {
				t.Fatalf("origin %q", lines[0])
			}
			size, _ := strconv.ParseInt(lines[1], 10, 64)
			h, err := tlog.ParseHash(lines[2])
			if err != nil {
				t.Fatal(err)
			}
			return size, h
		}
		size1, root1 := open(cpText)
		size2, root2 := open(cp2.Note)
		all, err := c.Events(f.ctx, Query{Action: "intake.case.read", Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range all.Events {
			pr, err := c.Proof(f.ctx, ev.ID, 0)
			if err != nil {
				t.Fatal(err)
			}
			proof := make(tlog.RecordProof, len(pr.Proof))
			for i, b := range pr.Proof {
				copy(proof[i][:], b)
			}
			if err := tlog.CheckRecord(proof, size2, root2, ev.Index, tlog.RecordHash(LeafData(ev.Audit))); err != nil {
				t.Errorf("inclusion of %d: %v", ev.Index, err)
			}
			if err := tlog.CheckRecord(proof, size2, root2, ev.Index, tlog.RecordHash([]byte("forged"))); err == nil {
				t.Error("a forged leaf passed the inclusion check")
			}
		}
		cons, err := c.Consistency(f.ctx, size1, size2)
		if err != nil {
			t.Fatal(err)
		}
		tp := make(tlog.TreeProof, len(cons.Proof))
		for i, b := range cons.Proof {
			copy(tp[i][:], b)
		}
		if err := tlog.CheckTree(tp, size2, root2, size1, root1); err != nil {
			t.Errorf("consistency %d -> %d: %v", size1, size2, err)
		}
	})
}

// headerTransport signs requests in as an auditor for the test server.
type headerTransport struct{}

func (headerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Test-User", "aud-1")
	r.Header.Set("X-Test-Roles", auth.RoleAuditor)
	return http.DefaultTransport.RoundTrip(r)
}

func TestReadFailsClosedWhenItCannotBeAudited(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		f := newFixture(t, e, nil)
		f.append(t, "intake", 2)
		srv := serve(t, f)
		// A user id that cannot be written to the log: the read is refused.
		code, body := get(t, srv, "/api/v1/audit/events", "not a code", auth.RoleAuditor)
		if code != http.StatusServiceUnavailable || strings.Contains(body, "intake.case.read") {
			t.Errorf("status %d, body %s; want 503 and no events", code, body)
		}
	})
}
