package referral

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
)

// TestInstrumentingCountsByMethodAndOutcome: calls are counted by method
// and outcome code, with no other label.
func TestInstrumentingCountsByMethodAndOutcome(t *testing.T) {
	t.Parallel()
	ev := newEnv(t, dbtest.SQLite(t))
	reg := prometheus.NewRegistry()
	mw, err := InstrumentingMiddleware(reg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := InstrumentingMiddleware(reg); err != nil {
		t.Fatalf("a second registration on one registry: %v", err)
	}
	s := mw(ev.s)
	prov := ev.provider(t, shelter("MA-06", 5))
	r, err := s.CreateReferral(ev.officer(), NewReferral{CaseID: ev.adult("MA-06", 0), Service: "shelter", Urgency: "normal", Candidates: []string{prov}})
	if err != nil {
		t.Fatal(err)
	}
	_, _ = s.GetReferral(ev.officer(), r.ID)
	_, _ = s.GetReferral(as(event.NewID(), auth.RoleNGOCaseworker), r.ID)
	_, _ = s.Decline(as(prov, auth.RoleNGOCaseworker), r.ID, DeclineInput{Reason: "other", Note: "free text"})
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetName() != "nrm_referral_calls_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if len(labels) != 2 || labels["method"] == "" || labels["outcome"] == "" {
				t.Fatalf("labels %v", labels)
			}
			got[labels["method"]+"/"+labels["outcome"]] = counter(m)
		}
	}
	want := map[string]float64{"CreateReferral/ok": 1, "GetReferral/ok": 1, "GetReferral/not_found": 1, "Decline/validation_failed": 1}
	if len(got) != len(want) {
		t.Fatalf("series %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
}

func counter(m *dto.Metric) float64 { return m.GetCounter().GetValue() }
