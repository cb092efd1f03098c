package audit

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/sethvargo/go-retry"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
)

// A witness that is briefly down still receives the checkpoint (retries
// with backoff); one that witnessed another size is sent a consistency
// proof from that size; a refusal is not retried.
func TestWitnessPushRetriesAndResyncs(t *testing.T) {
	saved := witnessBackoff
	witnessBackoff = func() retry.Backoff { return retry.WithMaxRetries(4, retry.NewConstant(time.Millisecond)) }
	t.Cleanup(func() { witnessBackoff = saved })

	var (
		mu       sync.Mutex
		answers  []int // status codes to give, in turn; then 200
		requests []string
	)
	ws := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		requests = append(requests, string(b))
		if len(answers) == 0 {
			return
		}
		st := answers[0]
		answers = answers[1:]
		if st == http.StatusConflict {
			w.Header().Set("Content-Type", WitnessSizeType)
			w.WriteHeader(st)
			_, _ = io.WriteString(w, "3\n")
			return
		}
		w.WriteHeader(st)
	}))
	t.Cleanup(ws.Close)
	f := newFixture(t, dbtest.SQLite(t), func(c *Config) { c.Witnesses = []string{ws.URL} })
	reset := func(a ...int) {
		mu.Lock()
		answers, requests = a, nil
		mu.Unlock()
	}

	// Down twice, then up.
	reset(503, 503)
	f.append(t, "intake", 3)
	f.checkpoint(t)
	if len(requests) != 3 {
		t.Fatalf("%d attempts, want 3 (two failures, then delivered)", len(requests))
	}

	// The witness says it holds size 3: the next push proves 3 -> 7.
	reset()
	f.append(t, "intake", 4)
	cp := f.checkpoint(t)
	old, proof, msg, err := DecodeWitnessRequest([]byte(requests[0]))
	if err != nil || old != 3 || string(msg) != string(cp.Note) {
		t.Fatalf("push after 3: old %d, err %v", old, err)
	}
	root3, err := tlog.TreeHash(3, dbHashReader(f.ctx, f.db))
	if err != nil {
		t.Fatal(err)
	}
	if err := tlog.CheckTree(proof, cp.Size, cp.Root, 3, root3); err != nil {
		t.Fatalf("the consistency proof sent does not verify: %v", err)
	}

	// A witness that lost track answers 409 with its size: resent once from it.
	reset(http.StatusConflict)
	f.append(t, "intake", 1)
	f.checkpoint(t)
	if len(requests) != 2 {
		t.Fatalf("%d requests, want the push and one resent after the 409", len(requests))
	}
	if old, _, _, _ := DecodeWitnessRequest([]byte(requests[1])); old != 3 {
		t.Fatalf("resent from %d, want the witness's 3", old)
	}

	// A refusal (a fork, a bad signature) is final.
	reset(http.StatusUnprocessableEntity)
	f.append(t, "intake", 1)
	f.checkpoint(t)
	if len(requests) != 1 {
		t.Fatalf("a refused checkpoint was sent %d times, want once", len(requests))
	}
}

func TestWitnessRequestRoundTrip(t *testing.T) {
	proof := []tlog.Hash{{1}, {2}}
	body := EncodeWitnessRequest(5, proof, []byte("origin\n5\nroot\n\n— sig\n"))
	old, p, msg, err := DecodeWitnessRequest(body)
	if err != nil || old != 5 || len(p) != 2 || p[1] != proof[1] || string(msg) != "origin\n5\nroot\n\n— sig\n" {
		t.Fatalf("round trip: %d %v %q %v", old, p, msg, err)
	}
	for _, bad := range []string{"", "old -1\n\nx", "new 5\n\nx", "old 5\nnot-base64\n\nx", "old 5"} {
		if _, _, _, err := DecodeWitnessRequest([]byte(bad)); err == nil {
			t.Errorf("%q decoded", bad)
		}
	}
}
