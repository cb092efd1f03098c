package audit

import (
	"fmt"
	"strings"
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

// isRead reports whether an action reads data: its last word is "read"
// (the log's own queries select reads with LIKE '%.read', alertwindow.go).
func isRead(action string) bool { return strings.HasSuffix(action, ".read") }

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
	divergences                                           prometheus.Counter
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
		divergences: c("log_divergences_total",
			"Appends that found the stored log no longer holding entries this process appended (commits lost in a failover, or a restore)."),
		alerts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "nrm", Subsystem: "audit", Name: "alerts_total", Help: "Alerts raised, by kind.",
		}, []string{"kind"}),
		checkpointSize: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "nrm", Subsystem: "audit", Name: "checkpoint_tree_size", Help: "Tree size of the latest checkpoint.",
		}),
	}
	for _, col := range []prometheus.Collector{m.appended, m.duplicates, m.rejected, m.gaps, m.witnessFailures, m.divergences, m.alerts, m.checkpointSize} {
		if err := reg.Register(col); err != nil {
			return nil, fmt.Errorf("audit: metrics: %w", err)
		}
	}
	return m, nil
}
