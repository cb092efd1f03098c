package intake_test

import (
	"encoding/json"
	"testing"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
)

// TestCaseViewAnswersAsTheSeparateReads: GET /cases/{id}/view answers each
// caller exactly what GET /cases/{id}, …/workflow and …/entries answer it
// (the same sections, the same entries opened), under one audit event
// naming the case, its tracks and its record, or a 404 and one denial.
func TestCaseViewAnswersAsTheSeparateReads(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		w := newRealWorldOn(t, e)
		k := w.entryKindCase(t, false)
		// The opener as a coordinator alone: the policy lets the role read
		// the case and its tracks but not list the record.
		k.callers["opener as coordinator"] = w.rolesToken(t, k.openerID, k.desk, auth.RoleCoordinator)
		relations := append([]string{"opener as coordinator"}, entryRelations...)
		base := "/api/v1/cases/" + k.caseID
		for _, rel := range relations {
			t.Run(rel, func(t *testing.T) {
				tok := k.callers[rel]
				before := len(auditEvents(t, w.env))
				view := call(t, w.srv, tok, "GET", base+"/view?workflow=true&entries=true", nil)
				evs := auditEvents(t, w.env)[before:]
				get := call(t, w.srv, tok, "GET", base, nil)
				wf := call(t, w.srv, tok, "GET", base+"/workflow", nil)
				es := call(t, w.srv, tok, "GET", base+"/entries", nil)
				if view.status != get.status {
					t.Fatalf("view %d, case %d", view.status, get.status)
				}
				if len(evs) != 1 {
					t.Fatalf("the view left %d audit events, want 1", len(evs))
				}
				if rel == "other org" && view.status != 404 {
					t.Fatalf("another organisation reads the case: %d", view.status)
				}
				if view.status == 404 {
					if wf.status != 404 || es.status != 404 || evs[0].Outcome != event.Denied || evs[0].Action != "intake.case_tracks_record.read" {
						t.Fatalf("refused: workflow %d, entries %d, event %s %s", wf.status, es.status, evs[0].Action, evs[0].Outcome)
					}
					return
				}
				if view.status != 200 {
					t.Fatalf("view: %d (%s)", view.status, view.code)
				}
				want := "intake.case_tracks_record.read"
				if rel == "opener as coordinator" {
					want = "intake.case_tracks.read"
				}
				if evs[0].Action != want || evs[0].Outcome != event.Allowed || evs[0].ObjectID != k.caseID {
					t.Fatalf("event %s %s on %s, want %s allowed on the case", evs[0].Action, evs[0].Outcome, evs[0].ObjectID, want)
				}
				sameJSON(t, "case", view.decoded["case"], get.decoded)
				if wf.status != 200 {
					t.Fatalf("workflow: %d", wf.status)
				}
				sameJSON(t, "workflow", view.decoded["workflow"], wf.decoded)
				switch es.status {
				case 200:
					sameJSON(t, "entries", view.decoded["entries"], es.decoded["entries"])
				case 403:
					if _, ok := view.decoded["entries"]; ok {
						t.Fatal("the view carries the record the caller's role may not list")
					}
				default:
					t.Fatalf("entries: %d", es.status)
				}
			})
		}
		// Asked for the case alone, the view is the case read, audited as one.
		got := call(t, w.srv, k.callers["owner"], "GET", base+"/view", nil)
		if _, ok := got.decoded["workflow"]; got.status != 200 || ok || got.decoded["entries"] != nil {
			t.Fatalf("the case alone: %d, %v", got.status, got.decoded)
		}
		if ev, ok := lastAudit(t, w.env, "intake.case.read", k.caseID); !ok || ev.Outcome != event.Allowed {
			t.Fatal("the case read alone is not audited as a case read")
		}
		for _, q := range []string{"?workflow=yes", "?entries=true&entries=true", "?owner_org=x"} {
			if got := call(t, w.srv, k.callers["owner"], "GET", base+"/view"+q, nil); got.status != 400 {
				t.Errorf("%s: %d, want 400", q, got.status)
			}
		}
	})
}

// sameJSON fails when got and want differ once encoded.
func sameJSON(t *testing.T, what string, got, want any) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if string(g) != string(w) {
		t.Fatalf("%s differs from the separate read:\n view: %s\n read: %s", what, g, w)
	}
}
