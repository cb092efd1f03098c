package chaos

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nrm-project/nrm/services/intake/casefile"
)

// fakeNRM is a server that misbehaves on purpose: the checks must catch
// every kind of broken promise it makes.
type fakeNRM struct {
	mu       sync.Mutex
	honour   bool                             // honour Idempotency-Key
	byKey    map[string]string                // key → case id
	cases    map[string]casefile.Registration // id → what was stored
	order    []string
	audited  map[string]string // request id → case id
	loseNext bool              // acknowledge the next registration, store nothing
	skewNext bool              // store the next registration with another narrative
	twice    bool              // store the next registration twice (a lost answer, retried)
	unaudit  bool              // serve reads without their audit event
	made     int
}

func newFake() *fakeNRM {
	return &fakeNRM{byKey: map[string]string{}, cases: map[string]casefile.Registration{}, audited: map[string]string{}}
}

func (f *fakeNRM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.URL.Path == "/api/v1/auth/login":
		fmt.Fprint(w, `{"access_token":"t"}`)
	case r.Method == "POST" && r.URL.Path == "/api/v1/cases":
		var reg casefile.Registration
		b, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(b, &reg)
		key := r.Header.Get(idempotencyHeader)
		if id, ok := f.byKey[key]; ok && f.honour {
			w.WriteHeader(http.StatusCreated)
			fmt.Fprintf(w, `{"id":%q}`, id)
			return
		}
		f.made++
		id := fmt.Sprintf("case-%d", f.made)
		f.byKey[key] = id
		switch {
		case f.loseNext:
			f.loseNext = false
		case f.skewNext:
			f.skewNext = false
			n := *reg.Narrative
			n.Account += " (edited)"
			reg.Narrative = &n
			f.store(id, reg)
		case f.twice:
			f.twice = false
			f.store(id, reg)
			f.made++
			id = fmt.Sprintf("case-%d", f.made)
			f.store(id, reg)
		default:
			f.store(id, reg)
		}
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"id":%q}`, id)
	case r.Method == "GET" && r.URL.Path == "/api/v1/cases":
		page := casefile.CasePage{}
		for _, id := range f.order {
			page.Cases = append(page.Cases, casefile.Case{ID: id})
		}
		_ = json.NewEncoder(w).Encode(page)
	case r.Method == "GET" && strings.HasPrefix(r.URL.Path, "/api/v1/cases/"):
		id := strings.TrimPrefix(r.URL.Path, "/api/v1/cases/")
		reg, ok := f.cases[id]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"error":{"code":"not_found"}}`)
			return
		}
		if !f.unaudit {
			f.audited[r.Header.Get(requestIDHeader)] = id
		}
		f.unaudit = false
		c := casefile.Case{
			ID: id, Route: reg.Route, IdentifiedOn: reg.IdentifiedOn, Region: reg.Region, Gender: reg.Gender,
			AgeGroup: reg.AgeGroup, Nationalities: reg.Nationalities, ExploitationTypes: reg.ExploitationTypes,
			ExploitationLocation: reg.ExploitationLocation, Needs: reg.Needs, Languages: reg.Languages,
			Sections: map[string]json.RawMessage{},
		}
		for name, v := range map[string]any{"identity": reg.Identity, "narrative": reg.Narrative, "health": reg.Health, "legal": reg.Legal} {
			c.Sections[name], _ = json.Marshal(v)
		}
		_ = json.NewEncoder(w).Encode(c)
	case r.URL.Path == "/api/v1/audit/events":
		after, _ := strconv.Atoi(r.URL.Query().Get("after"))
		if r.URL.Query().Get("after") == "" {
			after = -1
		}
		type ev struct {
			Index     int    `json:"index"`
			ObjectID  string `json:"object_id"`
			RequestID string `json:"request_id"`
		}
		var evs []ev
		i := 0
		for rid, id := range f.audited {
			evs = append(evs, ev{i, id, rid})
			i++
		}
		if after >= 0 {
			evs = nil
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"events": evs})
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

func (f *fakeNRM) store(id string, reg casefile.Registration) {
	f.cases[id] = reg
	f.order = append(f.order, id)
}

func fakeStage(t *testing.T, f *fakeNRM) *stage {
	t.Helper()
	ts := httptest.NewServer(f)
	t.Cleanup(ts.Close)
	cred := credential{Email: "officer@police.demo", Password: "p", Secret: "JBSWY3DPEHPK3PXP"}
	sess := func() *session { return &session{cred: cred, base: ts.URL, client: ts.Client()} }
	return &stage{
		cfg: Config{Settle: 200 * time.Millisecond}, sum: &Summary{Status: map[string]int{}},
		officer: sess(), auditor: sess(), led: newLedger("abc123"), say: func(string, ...any) {},
	}
}

// Each broken promise of a server is counted by the check that looks
// for it: an acknowledged write lost or altered, a case stored twice
// for one registration, a read served without its audit event.
func TestChecksCatchEveryBrokenPromise(t *testing.T) {
	ctx := context.Background()
	f := newFake()
	st := fakeStage(t, f)
	rng := rand.New(rand.NewPCG(1, 2))
	register := func() *regOp {
		op := st.led.newOp(rng)
		st.led.register(ctx, st.officer, op, time.Second, "register")
		if op.ackID == "" {
			t.Fatalf("not acknowledged: %s", op.refused)
		}
		return op
	}
	register()
	f.loseNext = true
	register()
	f.skewNext = true
	register()
	f.twice = true
	register()
	f.unaudit = true
	st.led.read(ctx, st.officer, rng)
	st.led.read(ctx, st.officer, rng)

	st.readBack(ctx)
	if err := st.census(ctx); err != nil {
		t.Fatal(err)
	}
	if err := st.auditMatch(ctx); err != nil {
		t.Fatal(err)
	}
	s := st.sum
	if s.Acknowledged != 4 || s.Lost != 1 || s.Mismatched != 1 || s.Duplicates != 1 || s.Unaudited < 1 {
		t.Fatalf("acknowledged %d lost %d mismatched %d duplicates %d unaudited %d, want 4 1 1 1 ≥1 (%v)",
			s.Acknowledged, s.Lost, s.Mismatched, s.Duplicates, s.Unaudited, s.Failures)
	}
	if !strings.Contains(strings.Join(s.Failures, "\n"), "narrative.account") {
		t.Fatalf("the altered section is not named: %v", s.Failures)
	}
	s.StatsEqual = true
	v := strings.Join(s.Violations(), "\n")
	for _, want := range []string{"1 acknowledged writes lost", "read back different", "without their audit event"} {
		if !strings.Contains(v, want) {
			t.Errorf("violations %q lack %q", v, want)
		}
	}
	if strings.Contains(v, "duplicates") {
		t.Errorf("duplicates are a violation only where the server honours keys: %q", v)
	}
	s.IdempotencySupported = true
	if !strings.Contains(strings.Join(s.Violations(), "\n"), "duplicates") {
		t.Error("duplicates with honoured keys are not a violation")
	}
}

// The probe tells a server that honours Idempotency-Key from one that
// does not, and the probe's own second case is not a duplicate.
func TestProbeDetectsIdempotencySupport(t *testing.T) {
	for _, honour := range []bool{false, true} {
		t.Run(strconv.FormatBool(honour), func(t *testing.T) {
			f := newFake()
			f.honour = honour
			st := fakeStage(t, f)
			if err := st.probeIdempotency(context.Background()); err != nil {
				t.Fatal(err)
			}
			if st.sum.IdempotencySupported != honour {
				t.Fatalf("supported = %t, want %t", st.sum.IdempotencySupported, honour)
			}
			if err := st.census(context.Background()); err != nil {
				t.Fatal(err)
			}
			if st.sum.Duplicates != 0 {
				t.Fatalf("the probe counted as %d duplicates", st.sum.Duplicates)
			}
		})
	}
}
