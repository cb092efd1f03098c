package intake_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/go-kit/log"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/authz"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/idempotency"
	"github.com/nrm-project/nrm/pkg/kit/contract"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

// dropResponses serves with next but, while armed, throws the answer
// away and breaks the connection: the write happened, the client never
// hears of it.
type dropResponses struct {
	next  http.Handler
	armed atomic.Bool
}

func (d *dropResponses) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !d.armed.CompareAndSwap(true, false) {
		d.next.ServeHTTP(w, r)
		return
	}
	d.next.ServeHTTP(httptest.NewRecorder(), r)
	panic(http.ErrAbortHandler)
}

func keyedPost(t *testing.T, url, tok, key string, setKey bool, body any) (int, doc, error) {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	if setKey {
		req.Header.Set(idempotency.Header, key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out doc
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("body %q: %v", raw, err)
	}
	return resp.StatusCode, out, nil
}

// droppingServer serves intake's HTTP API, checked against openapi.yaml,
// behind dropResponses (which loses answers on the way back).
func (w *realWorld) droppingServer(t *testing.T) (*httptest.Server, *dropResponses) {
	t.Helper()
	enf, err := authz.Load("")
	if err != nil {
		t.Fatal(err)
	}
	v := auth.NewVerifier(auth.StaticKeys{w.kid: w.priv.Public().(ed25519.PublicKey)}, "nrm", notRevoked{}, nil)
	eps := intake.MakeServerEndpoints(w.env.Service, auth.Middleware(v), enf, &denialLog{})
	drop := &dropResponses{next: contract.Handler(t, intake.MakeHTTPHandler(eps, log.NewNopLogger()))}
	srv := httptest.NewServer(drop)
	t.Cleanup(srv.Close)
	return srv, drop
}

// TestIdempotentRegistrationOverHTTP: a registration whose answer is lost
// on the way back (the connection breaks after the case was written) is
// sent again with its Idempotency-Key and answered 201 with the case that
// was written: the person is registered once.
func TestIdempotentRegistrationOverHTTP(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		t.Parallel()
		w := newRealWorldOn(t, e)
		srv, drop := w.droppingServer(t)
		url := srv.URL + "/api/v1/cases"
		user := event.NewID()
		tok := w.userToken(t, user, w.owner, auth.RoleFrontlineOfficer)
		body := registrationDoc(t)
		key := `"` + event.NewID() + `"`

		drop.armed.Store(true)
		if _, _, err := keyedPost(t, url, tok, key, true, body); err == nil {
			t.Fatal("the answer was not dropped")
		}
		status, first, err := keyedPost(t, url, tok, key, true, body)
		if err != nil || status != http.StatusCreated {
			t.Fatalf("retry: %v %d %v", err, status, first)
		}
		if n := count(t, w.env, `SELECT COUNT(*) FROM cases`); n != 1 {
			t.Fatalf("%d cases after a retried registration, want 1", n)
		}
		// A token of the same user from another session is the same caller.
		status, again, _ := keyedPost(t, url, w.userToken(t, user, w.owner, auth.RoleFrontlineOfficer), key, true, body)
		if status != http.StatusCreated || again["id"] != first["id"] || again["reference"] != first["reference"] {
			t.Fatalf("second retry: %d %v, want %v", status, again, first)
		}
		// Attack: another officer guessing the key registers their own case.
		status, theirs, _ := keyedPost(t, url, w.token(t, w.owner, auth.RoleFrontlineOfficer), key, true, body)
		if status != http.StatusCreated || theirs["id"] == first["id"] {
			t.Fatalf("another user's same key: %d %v", status, theirs)
		}

		// The same key with another body: 422, nothing written.
		body["region"] = "MA-01"
		status, out, _ := keyedPost(t, url, tok, key, true, body)
		if status != http.StatusUnprocessableEntity || errCode(out) != idempotency.CodeKeyReused {
			t.Fatalf("reused key: %d %v", status, out)
		}
		// Malformed keys: 400 naming the header, nothing written.
		for _, bad := range []string{"", strings.Repeat("k", 256), `"unterminated`} {
			status, out, _ := keyedPost(t, url, tok, bad, true, body)
			msg, _ := out["error"].(doc)["message"].(string)
			if status != http.StatusBadRequest || errCode(out) != idempotency.CodeKeyInvalid || !strings.Contains(msg, idempotency.Header) {
				t.Fatalf("key %q: %d %v", bad, status, out)
			}
		}
		if n := count(t, w.env, `SELECT COUNT(*) FROM cases`); n != 2 {
			t.Fatalf("%d cases, want 2", n)
		}
	})
}

// TestClientForwardsTheKey: a caller of intake's HTTP client (the web
// pages, another process) that puts a key in its context gets the same
// protection as a client sending the header.
func TestClientForwardsTheKey(t *testing.T) {
	t.Parallel()
	w := newRealWorld(t)
	cl, err := intake.NewClient(w.srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	tok := w.token(t, w.owner, auth.RoleFrontlineOfficer)
	ctx := auth.TokenToContext(context.Background(), &http.Request{Header: http.Header{"Authorization": {"Bearer " + tok}}})
	keyed := idempotency.WithKey(ctx, "client-key-1")
	r := intaketest.Registration("Amina Client")
	first, err := cl.Register(keyed, r)
	if err != nil {
		t.Fatal(err)
	}
	again, err := cl.Register(keyed, r)
	if err != nil || again.ID != first.ID {
		t.Fatalf("retry through the client: %v, %s; want %s", err, again.ID, first.ID)
	}
	if n := count(t, w.env, `SELECT COUNT(*) FROM cases`); n != 1 {
		t.Fatalf("%d cases, want 1", n)
	}
	// The key was given for one registration: a read with the same
	// context is a read.
	if _, err := cl.Get(keyed, first.ID); err != nil {
		t.Fatal(err)
	}
}

// TestIdempotentCaseWritesOverHTTP: a transfer, a consent and a link whose
// answer is lost on the way back are sent again with their key and
// answered as the first time (status and body, checked against
// openapi.yaml): the case is transferred once, the consent recorded once,
// the notification linked once; the key with another body is 422.
func TestIdempotentCaseWritesOverHTTP(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		t.Parallel()
		w := newRealWorldOn(t, e)
		srv, drop := w.droppingServer(t)
		tok := w.userToken(t, event.NewID(), w.owner, auth.RoleFrontlineOfficer)
		c := w.env.Register(t, w.owner, intaketest.Registration("Amina Over HTTP"))
		note := w.notificationOf(t, w.owner)
		path := srv.URL + "/api/v1/cases/" + c.ID
		tests := []struct {
			name, url    string
			body, other  doc
			status       int
			action, rows string
		}{
			{"consent", path + "/consents", doc{"assistance": true, "nrm_referral": true}, doc{"assistance": true}, http.StatusCreated,
				"intake.consent.record", `SELECT COUNT(*) FROM consents WHERE case_id = $1`},
			{"link", path + "/link", doc{"notification_id": note}, doc{"notification_id": w.notificationOf(t, w.owner)}, http.StatusNoContent,
				"intake.notification.link", `SELECT COUNT(*) FROM cases WHERE linked_case_id = $1`},
			{"transfer", path + "/transfer", doc{"org_id": w.grantee.ID}, doc{"org_id": w.other.ID}, http.StatusOK,
				"intake.case.transfer", `SELECT COUNT(*) FROM grants WHERE case_id = $1 AND purpose = 'transfer'`},
		}
		for _, tc := range tests {
			key := `"` + event.NewID() + `"`
			drop.armed.Store(true)
			if _, _, err := keyedPostAny(t, tc.url, tok, key, tc.body); err == nil {
				t.Fatalf("%s: the answer was not dropped", tc.name)
			}
			rows := count(t, w.env, tc.rows, c.ID)
			status, first, err := keyedPostAny(t, tc.url, tok, key, tc.body)
			if err != nil || status != tc.status {
				t.Fatalf("%s retry: %v %d %s", tc.name, err, status, first)
			}
			status, again, _ := keyedPostAny(t, tc.url, tok, key, tc.body)
			if status != tc.status || string(again) != string(first) {
				t.Fatalf("%s second retry: %d %s, want %s", tc.name, status, again, first)
			}
			if n := count(t, w.env, tc.rows, c.ID); n != rows {
				t.Fatalf("%s: %d rows after the retries, %d before: it acted again", tc.name, n, rows)
			}
			status, out, _ := keyedPostAny(t, tc.url, tok, key, tc.other)
			var d doc
			if json.Unmarshal(out, &d); status != http.StatusUnprocessableEntity || errCode(d) != idempotency.CodeKeyReused {
				t.Fatalf("%s reused key: %d %s", tc.name, status, out)
			}
		}
	})
}

// keyedPostAny posts body with key and returns the status and raw answer.
func keyedPostAny(t *testing.T, url, tok, key string, body any) (int, []byte, error) {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(idempotency.Header, key)
	// A fresh connection each time: on a kept-alive one, Go's transport
	// itself resends a keyed request whose connection broke, hiding the
	// lost answer from the test.
	resp, err := freshConns.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return resp.StatusCode, raw, err
}

var freshConns = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
