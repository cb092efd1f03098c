package audit

import (
	"context"
	"database/sql"
	"slices"
	"time"

	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/event"
)

// detector raises an alert when a user's denials (or, signed out, a
// client address's) or reads within the window reach a threshold, then
// not again for that subject until a window has passed. The windows are
// the log itself, read inside the append's transaction under its lock:
// every replica of the audit service counts the same events, so a burst
// spread over replicas raises its alert once, whichever replica appends
// the event that reaches the threshold, and the alert commits with it.
type detector struct {
	window         time.Duration
	denials, reads int
}

func newDetector(window time.Duration, denials, reads int) *detector {
	return &detector{window: window, denials: denials, reads: reads}
}

// subject is what an alert is about: the alert's action and the user (or
// "client:" and the client address's hash).
type subject struct{ action, key string }

func (d *detector) subjectOf(e event.Audit) (subject, bool) {
	switch {
	case e.Action == ActionDenialSpike || e.Action == ActionBulkRead || e.Action == ActionGapDetected:
		return subject{}, false
	case e.Outcome == event.Denied && e.ActorUser != "":
		return subject{ActionDenialSpike, e.ActorUser}, true
	case e.Outcome == event.Denied && e.ClientHash != "":
		return subject{ActionDenialSpike, "client:" + e.ClientHash}, true
	case e.Outcome == event.Allowed && isRead(e.Action) && e.ActorUser != "":
		return subject{ActionBulkRead, e.ActorUser}, true
	}
	return subject{}, false
}

func (d *detector) threshold(s subject) int {
	if s.action == ActionDenialSpike {
		return d.denials
	}
	return d.reads
}

// detect returns the alerts evs raise, counted with the events of the log
// within the window; tx holds the append lock and evs are not stored yet.
func (d *detector) detect(ctx context.Context, tx *sql.Tx, engine db.Engine, evs []event.Audit, now time.Time) ([]event.Audit, error) {
	batch := map[subject][]time.Time{}
	var subjects []subject
	var first time.Time
	for _, e := range evs {
		s, ok := d.subjectOf(e)
		if !ok {
			continue
		}
		if _, seen := batch[s]; !seen {
			subjects = append(subjects, s)
		}
		batch[s] = append(batch[s], e.Time)
		if first.IsZero() || e.Time.Before(first) {
			first = e.Time
		}
	}
	if len(subjects) == 0 {
		return nil, nil
	}
	logged, err := windowEvents(ctx, tx, engine, subjects, first.Add(-d.window))
	if err != nil {
		return nil, err
	}
	// counts[s][i]: the events in the window ending at s's i-th new event.
	counts := map[subject][]int{}
	var reached []subject
	for _, s := range subjects {
		times := append(logged[s], batch[s]...)
		slices.SortFunc(batch[s], func(a, b time.Time) int { return a.Compare(b) })
		over := false
		for _, t := range batch[s] {
			n := 0
			for _, x := range times {
				if x.After(t.Add(-d.window)) && !x.After(t) {
					n++
				}
			}
			counts[s] = append(counts[s], n)
			over = over || n >= d.threshold(s)
		}
		if over {
			reached = append(reached, s)
		}
	}
	if len(reached) == 0 {
		return nil, nil
	}
	last, err := lastAlerts(ctx, tx, engine, reached)
	if err != nil {
		return nil, err
	}
	var out []event.Audit
	for _, s := range reached {
		var quiet time.Time
		if at, ok := last[s]; ok {
			quiet = at.Add(d.window)
		}
		for i, t := range batch[s] {
			if counts[s][i] >= d.threshold(s) && !t.Before(quiet) {
				outcome := event.Denied
				if s.action == ActionBulkRead {
					outcome = event.Allowed
				}
				out = append(out, alertEvent(s.action, s.key, outcome, func() time.Time { return now }))
				quiet = now.Add(d.window)
				if t.After(now) {
					quiet = t.Add(d.window)
				}
			}
		}
	}
	return out, nil
}
