package intake_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

// doc is a JSON answer read generically, as a client outside Go reads it.
type doc = map[string]any

// call sends one request with tok and returns the status and the decoded
// JSON body (nil for none).
func (w *realWorld) call(t *testing.T, tok, method, path string, body any) (int, doc) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, w.srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out doc
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%s %s: body %q: %v", method, path, raw, err)
		}
	}
	return resp.StatusCode, out
}

// must calls and fails the test unless the status is want.
func (w *realWorld) must(t *testing.T, want int, tok, method, path string, body any) doc {
	t.Helper()
	status, out := w.call(t, tok, method, path, body)
	if status != want {
		t.Fatalf("%s %s: status %d, want %d: %v", method, path, status, want, out)
	}
	return out
}

func errCode(d doc) string {
	e, _ := d["error"].(doc)
	s, _ := e["code"].(string)
	return s
}

func strs(v any) []string {
	var out []string
	for _, x := range asList(v) {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

func asList(v any) []any { l, _ := v.([]any); return l }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// adultCase registers an adult's nrm case with full consent as an officer
// of the owner organisation.
func (w *realWorld) adultCase(t *testing.T) string {
	t.Helper()
	c, err := w.env.Service.Register(intaketest.Officer(w.owner), intaketest.Registration("Person "+event.NewID()))
	if err != nil {
		t.Fatal(err)
	}
	return c.ID
}

// TestSubmitRouteSetsDueDate: POST /submit and a transition to submitted
// are one path: both set the reasonable-grounds due date, and the queue
// shows it.
func TestSubmitRouteSetsDueDate(t *testing.T) {
	t.Parallel()
	w := newRealWorld(t)
	officer, dm := w.token(t, w.owner, auth.RoleFrontlineOfficer), w.token(t, w.authority, auth.RoleDecisionMaker)
	viaSubmit, viaTransition := w.adultCase(t), w.adultCase(t)
	w.must(t, 200, officer, "POST", "/api/v1/cases/"+viaSubmit+"/submit", nil)
	w.must(t, 200, officer, "POST", "/api/v1/cases/"+viaTransition+"/transitions", doc{"to": "submitted"})
	want := w.must(t, 200, officer, "GET", "/api/v1/cases/"+viaTransition+"/workflow", nil)["rg_due"]
	got := w.must(t, 200, officer, "GET", "/api/v1/cases/"+viaSubmit+"/workflow", nil)
	if got["rg_due"] == nil || got["rg_due"] == "" || got["rg_due"] != want {
		t.Fatalf("rg_due after /submit %v, after a transition %v: want the same date", got["rg_due"], want)
	}
	if len(asList(got["history"])) == 0 {
		t.Fatal("the submission is not in the decision history")
	}
	queue := w.must(t, 200, dm, "GET", "/api/v1/decisions/queue", nil)
	for _, it := range asList(queue["cases"]) {
		item := it.(doc)
		if item["case_id"] == viaSubmit && item["due"] != want {
			t.Fatalf("queue due %v, want %v", item["due"], want)
		}
	}
}

// TestConsentUpdateNamingOnePurpose: a consent update naming data_sharing
// leaves the person's NRM consent as it was, so the case stays in the
// decision queue.
func TestConsentUpdateNamingOnePurpose(t *testing.T) {
	t.Parallel()
	w := newRealWorld(t)
	officer := w.token(t, w.owner, auth.RoleFrontlineOfficer)
	id := w.adultCase(t)
	w.must(t, 200, officer, "POST", "/api/v1/cases/"+id+"/submit", nil)
	c := w.must(t, 201, officer, "POST", "/api/v1/cases/"+id+"/consents", doc{"data_sharing": false})
	latest := map[string]bool{}
	for _, r := range asList(c["consents"]) {
		rec := r.(doc)
		latest[rec["purpose"].(string)] = rec["granted"].(bool)
	}
	if !latest[intake.PurposeNRMSubmission] || !latest[intake.PurposeAssistance] || latest[intake.PurposeDataSharing] {
		t.Fatalf("latest consents %v: want nrm_submission and assistance still granted, data_sharing refused", latest)
	}
	if st := w.must(t, 200, officer, "GET", "/api/v1/cases/"+id+"/workflow", nil)["decision_state"]; st != "submitted" {
		t.Fatalf("decision state %v after a data-sharing update, want submitted", st)
	}
	if status, out := w.call(t, officer, "POST", "/api/v1/cases/"+id+"/consents", doc{}); status != 400 || errCode(out) != "validation_failed" {
		t.Fatalf("an update naming no purpose: %d %v, want 400 validation_failed", status, out)
	}
}

// TestNegativeDecisionKeepsBothReasons: the proposal says plainly that it
// awaits a second decision maker, the queue shows it to the others, and the
// confirmed decision's letter states the proposer's reasons.
func TestNegativeDecisionKeepsBothReasons(t *testing.T) {
	t.Parallel()
	w := newRealWorld(t)
	officer := w.token(t, w.owner, auth.RoleFrontlineOfficer)
	dm1, dm2 := w.token(t, w.authority, auth.RoleDecisionMaker), w.token(t, w.authority, auth.RoleDecisionMaker)
	id := w.adultCase(t)
	w.must(t, 200, officer, "POST", "/api/v1/cases/"+id+"/submit", nil)
	reason := "no indicator of exploitation " + event.NewID()
	p := w.must(t, 200, dm1, "POST", "/api/v1/cases/"+id+"/transitions", doc{"to": "rg_negative", "reason": reason})
	if p["decision_state"] != "submitted" || p["awaiting_second_decision_maker"] != true || !strings.Contains(p["message"].(string), "different decision maker") {
		t.Fatalf("proposal answer %v: want the case unchanged and a plain statement that it awaits a second decision maker", p)
	}
	if contains(strs(p["allowed"]), "rg_negative") {
		t.Fatalf("the proposer is offered to confirm their own proposal: %v", p["allowed"])
	}
	awaits := false
	for _, it := range asList(w.must(t, 200, dm2, "GET", "/api/v1/decisions/queue", nil)["cases"]) {
		item := it.(doc)
		awaits = awaits || item["case_id"] == id && item["awaits_you"] == true
	}
	if !awaits {
		t.Fatal("the second decision maker's queue does not show the proposal awaiting them")
	}
	w.must(t, 200, dm2, "POST", "/api/v1/cases/"+id+"/transitions", doc{"to": "rg_negative"})
	wf := w.must(t, 200, dm2, "GET", "/api/v1/cases/"+id+"/workflow", nil)
	var rec doc
	for _, h := range asList(wf["history"]) {
		if h.(doc)["to"] == "rg_negative" {
			rec = h.(doc)
		}
	}
	if rec == nil || rec["proposal_entry_id"] == nil || rec["proposed_by"] == rec["decided_by"] {
		t.Fatalf("decision record %v: want the proposer's reasons kept and two decision makers", rec)
	}
	letter := ""
	for _, e := range asList(w.must(t, 200, dm2, "GET", "/api/v1/cases/"+id+"/entries", nil)["entries"]) {
		if e.(doc)["type"] == "decision_letter" {
			letter, _ = e.(doc)["content"].(doc)["text"].(string)
		}
	}
	if !strings.Contains(letter, reason) {
		t.Fatalf("the letter does not state the decision's reasons:\n%s", letter)
	}
}

// TestAllowedOffersOnlyOpenMoves: during the reflection period the
// conclusive decisions are not offered; they are listed with the date
// they open, and the move is refused as listed.
func TestAllowedOffersOnlyOpenMoves(t *testing.T) {
	t.Parallel()
	w := newRealWorld(t)
	officer, dm := w.token(t, w.owner, auth.RoleFrontlineOfficer), w.token(t, w.authority, auth.RoleDecisionMaker)
	id := w.adultCase(t)
	w.must(t, 200, officer, "POST", "/api/v1/cases/"+id+"/submit", nil)
	wf := w.must(t, 200, dm, "POST", "/api/v1/cases/"+id+"/transitions", doc{"to": "rg_positive", "reason": "indicators present"})
	if allowed := strs(wf["allowed"]); contains(allowed, "cg_positive") || contains(allowed, "cg_negative") {
		t.Fatalf("allowed %v during the reflection period", allowed)
	}
	later := map[string]string{}
	for _, m := range asList(wf["not_yet"]) {
		later[m.(doc)["to"].(string)], _ = m.(doc)["possible_from"].(string)
	}
	if later["cg_positive"] == "" || later["cg_positive"] != wf["reflection_ends"] {
		t.Fatalf("not_yet %v, want cg_positive possible from the end of reflection %v", wf["not_yet"], wf["reflection_ends"])
	}
	if status, out := w.call(t, dm, "POST", "/api/v1/cases/"+id+"/transitions", doc{"to": "cg_positive"}); status != 409 || errCode(out) != intake.CodeReflectionPeriod {
		t.Fatalf("conclusive during reflection: %d %v", status, out)
	}
	w.env.Clock.Advance(31 * 24 * time.Hour)
	wf = w.must(t, 200, dm, "GET", "/api/v1/cases/"+id+"/workflow", nil)
	if !contains(strs(wf["allowed"]), "cg_positive") || len(asList(wf["not_yet"])) != 0 {
		t.Fatalf("after reflection: allowed %v, not_yet %v", wf["allowed"], wf["not_yet"])
	}
}

// TestCertificateBeforeConclusion: no certificate yet is said as such.
func TestCertificateBeforeConclusion(t *testing.T) {
	t.Parallel()
	w := newRealWorld(t)
	officer := w.token(t, w.owner, auth.RoleFrontlineOfficer)
	id := w.adultCase(t)
	w.must(t, 200, officer, "POST", "/api/v1/cases/"+id+"/submit", nil)
	status, out := w.call(t, officer, "GET", "/api/v1/cases/"+id+"/certificate", nil)
	if status != 404 || errCode(out) != "no_certificate" {
		t.Fatalf("certificate before a conclusive decision: %d %v, want 404 no_certificate", status, out)
	}
}

// TestAssistanceCaseMovesOntoNRM: with the person's NRM consent recorded,
// the owner moves an assistance case onto the NRM route and submits it;
// the history says when and on which consent.
func TestAssistanceCaseMovesOntoNRM(t *testing.T) {
	t.Parallel()
	w := newRealWorld(t)
	officer := w.token(t, w.owner, auth.RoleFrontlineOfficer)
	r := intaketest.Registration("Person " + event.NewID())
	r.Route, r.Consent = intake.RouteAssistance, intake.ConsentInput{Assistance: true}
	c, err := w.env.Service.Register(intaketest.Officer(w.owner), r)
	if err != nil {
		t.Fatal(err)
	}
	path := "/api/v1/cases/" + c.ID
	status, out := w.call(t, officer, "POST", path+"/route", doc{"route": "nrm"})
	fields := asList(out["error"].(doc)["fields"])
	if status != 409 || errCode(out) != "consent_required" || len(fields) != 1 || fields[0].(doc)["path"] != "consent.nrm_referral" {
		t.Fatalf("without consent: %d %v, want 409 consent_required naming consent.nrm_referral", status, out)
	}
	consent := w.must(t, 201, officer, "POST", path+"/consents", doc{"nrm_referral": true})
	consentID := ""
	for _, rec := range asList(consent["consents"]) {
		if rec.(doc)["purpose"] == intake.PurposeNRMSubmission && rec.(doc)["granted"] == true {
			consentID = rec.(doc)["id"].(string)
		}
	}
	wf := w.must(t, 200, officer, "POST", path+"/route", doc{"route": "nrm"})
	var moved doc
	for _, h := range asList(wf["history"]) {
		if h.(doc)["to"] == "nrm" {
			moved = h.(doc)
		}
	}
	if moved == nil || moved["consent_id"] != consentID || moved["decided_at"] == nil {
		t.Fatalf("history %v: want the move onto the nrm route with consent %s", wf["history"], consentID)
	}
	w.must(t, 200, officer, "POST", path+"/submit", nil)
	if due := w.must(t, 200, officer, "GET", path+"/workflow", nil)["rg_due"]; due == nil || due == "" {
		t.Fatal("submitted without a due date")
	}
	if status, _ := w.call(t, officer, "POST", path+"/route", doc{"route": "nrm"}); status != 409 {
		t.Fatalf("a second move: %d, want 409", status)
	}
}
