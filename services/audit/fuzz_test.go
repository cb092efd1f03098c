package audit

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-kit/log"

	"github.com/nrm-project/nrm/pkg/kit"
)

// decodedCalls is a Service that keeps what the decoders passed on. Events
// and Alerts validate the query first, as Log does; the rest accept anything.
type decodedCalls struct {
	called   bool
	query    Query
	id       string
	size     int64
	from, to int64
}

func (s *decodedCalls) Events(_ context.Context, q Query) (EventPage, error) {
	s.called, s.query = true, q
	if err := validQuery(&q); err != nil {
		return EventPage{}, err
	}
	return EventPage{Events: []Entry{}}, nil
}

func (s *decodedCalls) Alerts(ctx context.Context, q Query) (EventPage, error) {
	return s.Events(ctx, q)
}

func (s *decodedCalls) Proof(_ context.Context, id string, size int64) (InclusionProof, error) {
	s.called, s.id, s.size = true, id, size
	return InclusionProof{}, nil
}

func (s *decodedCalls) LatestCheckpoint(context.Context) ([]byte, error) { return []byte("cp\n"), nil }

func (s *decodedCalls) Consistency(_ context.Context, from, to int64) (ConsistencyProof, error) {
	s.called, s.from, s.to = true, from, to
	return ConsistencyProof{}, nil
}

// serveDecoded sends GET u through MakeHTTPHandler, with no authentication
// or authorisation in front: only the decoders and encoders run.
func serveDecoded(u *url.URL) (*decodedCalls, *httptest.ResponseRecorder) {
	s := &decodedCalls{}
	h := MakeHTTPHandler(Endpoints{
		Events: makeEventsEndpoint(s), Proof: makeProofEndpoint(s),
		LatestCheckpoint: makeLatestCheckpointEndpoint(s), Consistency: makeConsistencyEndpoint(s),
		Alerts: makeAlertsEndpoint(s),
	}, log.NewNopLogger())
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.URL = u
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return s, w
}

// checkRefused fails unless w is exactly the error body of want: its
// status, stable code and fixed message, echoing nothing of the request.
func checkRefused(t *testing.T, w *httptest.ResponseRecorder, want *kit.Error) {
	t.Helper()
	var body struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatalf("status %d, body %q: not an error body: %v", w.Code, w.Body, err)
	}
	if w.Code != want.Status || body.Error.Code != want.Code || body.Error.Message != want.Message {
		t.Fatalf("answer %d %s %q, want %d %s %q", w.Code, body.Error.Code, body.Error.Message,
			want.Status, want.Code, want.Message)
	}
}

func FuzzEventsQuery(f *testing.F) {
	f.Fuzz(func(t *testing.T, rawQuery string) {
		for _, path := range []string{"/api/v1/audit/events", "/api/v1/audit/alerts"} {
			s, w := serveDecoded(&url.URL{Path: path, RawQuery: rawQuery})
			if w.Code != http.StatusOK {
				checkRefused(t, w, ErrBadQuery)
				continue
			}
			if !s.called {
				t.Fatalf("%s?%s: 200 without reaching the service", path, rawQuery)
			}
			v, q := (&url.URL{RawQuery: rawQuery}).Query(), s.query
			strs := map[string]string{"object_type": q.ObjectType, "object_id": q.ObjectID, "actor": q.Actor,
				"org": q.Org, "action": q.Action, "outcome": q.Outcome}
			for name, got := range strs {
				if got != v.Get(name) {
					t.Fatalf("%s = %q, want %q", name, got, v.Get(name))
				}
			}
			for name, got := range map[string]time.Time{"from": q.From, "to": q.To} {
				want, err := time.Parse(time.RFC3339Nano, v.Get(name))
				if v.Get(name) == "" {
					want, err = time.Time{}, nil
				}
				if err != nil || !got.Equal(want) {
					t.Fatalf("%s = %v, want %v (%v)", name, got, want, err)
				}
			}
			if s := v.Get("after"); (s == "") != (q.After == nil) || q.After != nil && (*q.After < -1 || strconv.FormatInt(*q.After, 10) != canonicalInt(s)) {
				t.Fatalf("after = %v from %q", q.After, s)
			}
			if s := v.Get("limit"); s == "" && q.Limit != 0 || s != "" && strconv.Itoa(q.Limit) != canonicalInt(s) {
				t.Fatalf("limit = %d from %q", q.Limit, s)
			}
			if err := validQuery(&q); err != nil {
				t.Fatalf("answered 200 for an invalid query: %v", err)
			}
		}
	})
}

// canonicalInt returns s as strconv formats the integer it parses to.
func canonicalInt(s string) string {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return "not an integer: " + s
	}
	return strconv.FormatInt(n, 10)
}

func FuzzProofRequest(f *testing.F) {
	f.Fuzz(func(t *testing.T, id, rawQuery string) {
		if id == "" || id == "." || id == ".." || strings.Contains(id, "/") {
			// The mux answers these itself (404 or a redirect to the cleaned
			// path) before any decoder runs.
			t.Skip("not one path segment")
		}
		s, w := serveDecoded(&url.URL{
			Path:     "/api/v1/audit/events/" + id + "/proof",
			RawPath:  "/api/v1/audit/events/" + url.PathEscape(id) + "/proof",
			RawQuery: rawQuery,
		})
		size := (&url.URL{RawQuery: rawQuery}).Query().Get("size")
		if w.Code != http.StatusOK {
			checkRefused(t, w, ErrBadSize)
			if n, err := strconv.ParseInt(size, 10, 64); size == "" || err == nil && n > 0 {
				t.Fatalf("size %q refused", size)
			}
			return
		}
		if !s.called || s.id != id {
			t.Fatalf("service got id %q (called %v), want %q", s.id, s.called, id)
		}
		if size == "" && s.size != 0 || size != "" && (s.size <= 0 || strconv.FormatInt(s.size, 10) != canonicalInt(size)) {
			t.Fatalf("size = %d from %q", s.size, size)
		}
	})
}

func FuzzConsistencyRequest(f *testing.F) {
	f.Fuzz(func(t *testing.T, rawQuery string) {
		s, w := serveDecoded(&url.URL{Path: "/api/v1/audit/consistency", RawQuery: rawQuery})
		v := (&url.URL{RawQuery: rawQuery}).Query()
		from, err1 := strconv.ParseInt(v.Get("from"), 10, 64)
		to, err2 := strconv.ParseInt(v.Get("to"), 10, 64)
		if w.Code != http.StatusOK {
			checkRefused(t, w, ErrBadSize)
			if err1 == nil && err2 == nil {
				t.Fatalf("from %q to %q refused", v.Get("from"), v.Get("to"))
			}
			return
		}
		if !s.called || err1 != nil || err2 != nil || s.from != from || s.to != to {
			t.Fatalf("service got %d..%d (called %v) from %q..%q", s.from, s.to, s.called, v.Get("from"), v.Get("to"))
		}
	})
}
