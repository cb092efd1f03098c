package audit

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/nrm-project/nrm/pkg/event"
)

// Alert actions: each alert is itself an event in the log.
const (
	ActionGapDetected = "audit.gap_detected"
	ActionDenialSpike = "audit.denial_spike"
	ActionBulkRead    = "audit.bulk_read"
)

// alertActions are listed for auditors: the log's own alerts, and emergency
// (break-the-glass) access opened in intake, which auditors must review.
var alertActions = []string{ActionGapDetected, ActionDenialSpike, ActionBulkRead, "intake.break_glass.open"}

func alertKind(action string) string {
	return strings.TrimPrefix(action, "audit.")
}

// detector counts denials and reads per user over a sliding window.
type detector struct {
	mu              sync.Mutex
	window          time.Duration
	denials, reads  int
	denied, readsBy map[string]*slidingWindow
	observed        int
}

type slidingWindow struct {
	times   []time.Time
	alerted time.Time // end of the quiet period after an alert
}

func newDetector(window time.Duration, denials, reads int) *detector {
	return &detector{
		window: window, denials: denials, reads: reads,
		denied: map[string]*slidingWindow{}, readsBy: map[string]*slidingWindow{},
	}
}

// isRead reports whether an action reads data: its last word is "read".
func isRead(action string) bool { return strings.HasSuffix(action, ".read") }

// observe counts e and returns the alerts it raises. An alert is raised
// when a user's count within the window reaches the threshold, then not
// again for that user until a window has passed.
func (d *detector) observe(e event.Audit, now func() time.Time) []event.Audit {
	if e.Action == ActionDenialSpike || e.Action == ActionBulkRead || e.Action == ActionGapDetected {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.observed++
	if d.observed%4096 == 0 {
		d.sweep(e.Time)
	}
	var out []event.Audit
	switch {
	case e.Outcome == event.Denied:
		key := e.ActorUser
		if key == "" && e.ClientHash != "" {
			key = "client:" + e.ClientHash
		}
		if key != "" && d.count(d.denied, key, e.Time, d.denials) {
			out = append(out, alertEvent(ActionDenialSpike, key, event.Denied, now))
		}
	case e.Outcome == event.Allowed && isRead(e.Action) && e.ActorUser != "":
		if d.count(d.readsBy, e.ActorUser, e.Time, d.reads) {
			out = append(out, alertEvent(ActionBulkRead, e.ActorUser, event.Allowed, now))
		}
	}
	return out
}

func (d *detector) count(m map[string]*slidingWindow, key string, t time.Time, threshold int) bool {
	w := m[key]
	if w == nil {
		w = &slidingWindow{}
		m[key] = w
	}
	cut := t.Add(-d.window)
	i := 0
	for i < len(w.times) && !w.times[i].After(cut) {
		i++
	}
	w.times = append(w.times[:0], w.times[i:]...)
	w.times = append(w.times, t)
	if len(w.times) >= threshold && !t.Before(w.alerted) {
		w.alerted = t.Add(d.window)
		return true
	}
	return false
}

// sweep forgets users with nothing in the window.
func (d *detector) sweep(t time.Time) {
	cut := t.Add(-d.window)
	for _, m := range []map[string]*slidingWindow{d.denied, d.readsBy} {
		for k, w := range m {
			if (len(w.times) == 0 || !w.times[len(w.times)-1].After(cut)) && t.After(w.alerted) {
				delete(m, k)
			}
		}
	}
}

func alertEvent(action, subject string, outcome event.Outcome, now func() time.Time) event.Audit {
	objType := "user"
	if strings.HasPrefix(subject, "client:") {
		objType, subject = "client", strings.TrimPrefix(subject, "client:")
	}
	return event.Audit{
		ID: event.NewID(), Time: now(), Action: action,
		ObjectType: objType, ObjectID: subject, Outcome: outcome,
	}
}

type metrics struct {
	appended, duplicates, rejected, gaps, witnessFailures prometheus.Counter
	alerts                                                *prometheus.CounterVec
	checkpointSize                                        prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	c := func(name, help string) prometheus.Counter {
		return prometheus.NewCounter(prometheus.CounterOpts{Namespace: "nrm", Subsystem: "audit", Name: name, Help: help})
	}
	m := &metrics{
		appended:        c("events_appended_total", "Events appended to the log."),
		duplicates:      c("events_duplicate_total", "Deliveries of events already in the log."),
		rejected:        c("events_rejected_total", "Messages refused as malformed or reusing a sequence number."),
		gaps:            c("sequence_gaps_total", "Gaps found in a source's sequence numbers."),
		witnessFailures: c("witness_failures_total", "Checkpoints a witness did not accept."),
		alerts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "nrm", Subsystem: "audit", Name: "alerts_total", Help: "Alerts raised, by kind.",
		}, []string{"kind"}),
		checkpointSize: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "nrm", Subsystem: "audit", Name: "checkpoint_tree_size", Help: "Tree size of the latest checkpoint.",
		}),
	}
	for _, col := range []prometheus.Collector{m.appended, m.duplicates, m.rejected, m.gaps, m.witnessFailures, m.alerts, m.checkpointSize} {
		if err := reg.Register(col); err != nil {
			return nil, fmt.Errorf("audit: metrics: %w", err)
		}
	}
	return m, nil
}
