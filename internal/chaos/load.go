package chaos

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nrm-project/nrm/services/intake/casefile"
)

// regOp is one registration the client means to make once: one body, one
// idempotency key, as many attempts as it takes (or until it gives up).
// The marker in its narrative ties every case stored from it back to it.
type regOp struct {
	n      int
	key    string
	marker string
	reg    casefile.Registration
	body   []byte

	attempts int
	ackID    string // the id of the first 201, if any
	refused  string // a definitive refusal (4xx), if any
	gaveUp   bool

	probe    bool     // the idempotency probe, sent twice on purpose
	extraIDs []string // the probe's first case when the key was not honoured
}

// readAck is a read the server acknowledged (200 with the case): its
// audit event must be in the log under the same request id.
type readAck struct{ requestID, caseID string }

// ledger is what the client knows happened.
type ledger struct {
	runID string

	mu     sync.Mutex
	ops    []*regOp
	acked  []*regOp
	reads  []readAck
	tally  map[string]int // "register 201", "read 500 internal", "read no answer"
	nextOp atomic.Int64

	refs     []*refOp
	referred map[string]bool // case ids
}

func newLedger(runID string) *ledger {
	return &ledger{runID: runID, tally: map[string]int{}, referred: map[string]bool{}}
}

func (l *ledger) count(kind string, x exchange) {
	l.mu.Lock()
	l.tally[kind+" "+x.outcome()]++
	l.mu.Unlock()
}

// newOp makes the next registration: random attributes and names, the
// same narrative shape as the load test's, and the op's marker.
func (l *ledger) newOp(rng *rand.Rand) *regOp {
	n := int(l.nextOp.Add(1))
	op := &regOp{n: n, key: newKey(), marker: fmt.Sprintf("chaos-%s-op-%d", l.runID, n)}
	regions := 1 + rng.IntN(12)
	op.reg = casefile.Registration{
		Route: "nrm", IdentifiedOn: time.Now().UTC().Format("2006-01-02"), Region: fmt.Sprintf("MA-%02d", regions),
		Gender: []string{"female", "male", "other", "unknown"}[rng.IntN(4)], AgeGroup: "adult",
		Nationalities:        [][]string{{"NG"}, {"MA"}, {"PH", "VN"}}[rng.IntN(3)],
		ExploitationTypes:    [][]string{{"sexual"}, {"labour"}, {"labour", "sexual"}, {"domestic_servitude"}}[rng.IntN(4)],
		ExploitationLocation: []string{"in_country", "abroad", "both", "unknown"}[rng.IntN(4)],
		Needs:                [][]string{{"shelter"}, {"medical", "shelter"}, {"legal_aid"}}[rng.IntN(3)],
		Languages:            []string{"en", "fr"},
		Consent:              casefile.ConsentInput{Assistance: true, NRMReferral: true, DataSharing: true},
		Identity:             &casefile.IdentityInfo{FullName: personName(rng), DateOfBirth: fmt.Sprintf("%d-04-02", 1970+rng.IntN(35))},
		Narrative:            &casefile.NarrativeInfo{Account: "Recruited with a false promise of work. " + op.marker},
		Health:               &casefile.HealthInfo{Notes: fmt.Sprintf("Needs a medical check (%d).", rng.IntN(1000))},
		Legal:                &casefile.LegalInfo{Notes: fmt.Sprintf("No documents (%d).", rng.IntN(1000))},
	}
	op.body, _ = json.Marshal(op.reg)
	l.mu.Lock()
	l.ops = append(l.ops, op)
	l.mu.Unlock()
	return op
}

// personName makes a pronounceable name, so that duplicate detection does
// the work it does in production.
func personName(rng *rand.Rand) string {
	const consonants, vowels = "bdfghjklmnprstvz", "aeiou"
	word := func(syllables int) string {
		b := make([]byte, 0, 2*syllables)
		for range syllables {
			b = append(b, consonants[rng.IntN(len(consonants))], vowels[rng.IntN(len(vowels))])
		}
		b[0] -= 'a' - 'A'
		return string(b)
	}
	return word(2+rng.IntN(2)) + " " + word(3)
}

// retryable reports whether a creating request may be sent again with
// the same key: no answer, a refused token (just after a restart), a
// conflict on a key still in flight, too many requests, or a server error.
func retryable(x exchange) bool {
	switch {
	case x.status == 0, x.status >= 500:
		return true
	case x.status == http.StatusUnauthorized, x.status == http.StatusConflict,
		x.status == http.StatusRequestTimeout, x.status == http.StatusTooManyRequests, x.status == http.StatusTooEarly:
		return true
	}
	return false
}

// created is how a creating request ended: the id of the first 2xx, a
// definitive refusal, or given up after maxWait.
type created struct {
	id       string
	refused  string
	attempts int
	gaveUp   bool
}

// create sends one creating request (one body, one key) until it is
// acknowledged, refused for good, or maxWait has passed since the first
// attempt.
func (l *ledger) create(ctx context.Context, s *session, path string, body []byte, key string, maxWait time.Duration, kind string) (c created) {
	start := time.Now()
	backoff := 100 * time.Millisecond
	unauthorized := 0
	for {
		x := s.do(ctx, "POST", path, body, key)
		if ctx.Err() != nil && x.status == 0 {
			c.gaveUp = true
			return c
		}
		c.attempts++
		l.count(kind, x)
		if x.status == http.StatusCreated || x.status == http.StatusOK {
			var v struct {
				ID string `json:"id"`
			}
			if err := json.Unmarshal(x.body, &v); err == nil && v.ID != "" {
				c.id = v.ID
				return c
			}
			c.refused = "answer without an id"
			return c
		}
		if !retryable(x) {
			c.refused = x.outcome()
			return c
		}
		if time.Since(start) > maxWait {
			c.gaveUp = true
			return c
		}
		if x.status == http.StatusUnauthorized {
			// A valid token refused: after a restart the revocation list
			// may not be loaded yet. Sign in again only if it lasts.
			if unauthorized++; unauthorized%40 == 0 {
				_, _ = s.relogin(ctx, x.token)
			}
		}
		wait := max(backoff, min(x.retryIn, 5*time.Second))
		if sleep(ctx, wait+time.Duration(rand.Int64N(int64(wait/2)+1))) != nil {
			c.gaveUp = true
			return c
		}
		backoff = min(2*backoff, 2*time.Second)
	}
}

// register makes op's registration.
func (l *ledger) register(ctx context.Context, s *session, op *regOp, maxWait time.Duration, kind string) {
	c := l.create(ctx, s, "/api/v1/cases", op.body, op.key, maxWait, kind)
	op.attempts += c.attempts
	op.ackID, op.refused, op.gaveUp = c.id, c.refused, c.gaveUp
	if c.id != "" {
		l.mu.Lock()
		l.acked = append(l.acked, op)
		l.mu.Unlock()
	}
}

// refOp is one referral of an acknowledged case to a shelter: each case
// is referred at most once, so a second referral of it is a duplicate.
type refOp struct {
	caseID string
	key    string
	c      created
}

// refer refers a random acknowledged case not referred yet.
func (l *ledger) refer(ctx context.Context, s *session, rng *rand.Rand, maxWait time.Duration) {
	l.mu.Lock()
	var caseID string
	for range 8 {
		if len(l.acked) == 0 {
			break
		}
		if id := l.acked[rng.IntN(len(l.acked))].ackID; !l.referred[id] {
			caseID = id
			break
		}
	}
	if caseID == "" {
		l.mu.Unlock()
		return
	}
	l.referred[caseID] = true
	op := &refOp{caseID: caseID, key: newKey()}
	l.refs = append(l.refs, op)
	l.mu.Unlock()
	body, _ := json.Marshal(map[string]string{"case_id": caseID, "service": "shelter", "urgency": "normal"})
	c := l.create(ctx, s, "/api/v1/referrals", body, op.key, maxWait, "refer")
	l.mu.Lock()
	op.c = c
	l.mu.Unlock()
}

// read reads a random acknowledged case once (no retry: a failed read is
// simply not acknowledged).
func (l *ledger) read(ctx context.Context, s *session, rng *rand.Rand) {
	l.mu.Lock()
	if len(l.acked) == 0 {
		l.mu.Unlock()
		return
	}
	id := l.acked[rng.IntN(len(l.acked))].ackID
	l.mu.Unlock()
	x := s.do(ctx, "GET", "/api/v1/cases/"+id, nil, "")
	if ctx.Err() != nil && x.status == 0 {
		return
	}
	l.count("read", x)
	if x.status == http.StatusOK {
		l.mu.Lock()
		l.reads = append(l.reads, readAck{x.requestID, id})
		l.mu.Unlock()
		return
	}
	_ = sleep(ctx, 100*time.Millisecond) // the server is down or failing: no hot loop
}

// run drives the load with n clients until ctx ends; a registration in
// flight then finishes its retries for up to maxWait under finish.
func (l *ledger) run(ctx, finish context.Context, s *session, n int, seed uint64, maxWait time.Duration) {
	var wg sync.WaitGroup
	for w := range n {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(seed, uint64(w)))
			for ctx.Err() == nil {
				switch r := rng.IntN(20); {
				case r < 7:
					l.register(finish, s, l.newOp(rng), maxWait, "register")
				case r < 9:
					l.refer(finish, s, rng, maxWait)
				default:
					l.read(ctx, s, rng)
				}
			}
		})
	}
	wg.Wait()
}
