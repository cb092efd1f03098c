package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
)

// journey is one run of nrm serve --demo with its signed-in users.
type journey struct {
	t                                        *testing.T
	base                                     string
	officer, shelter, dm1, dm2, analyst, sys string
}

// do calls and fails unless the status is want; out receives the JSON.
func (j *journey) do(want int, method, path, token string, body, out any) {
	j.t.Helper()
	st, b := call(j.t, method, j.base+path, token, body)
	if st != want {
		j.t.Fatalf("%s %s: %d, want %d: %s", method, path, st, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			j.t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
}

type journeyWorkflow struct {
	DecisionState  string   `json:"decision_state"`
	RGDue          string   `json:"rg_due"`
	ReflectionEnds string   `json:"reflection_ends"`
	Allowed        []string `json:"allowed"`
	NotYet         []struct {
		To           string `json:"to"`
		PossibleFrom string `json:"possible_from"`
	} `json:"not_yet"`
	Awaiting bool `json:"awaiting_second_decision_maker"`
}

// register registers an adult on the nrm route speaking lang.
func (j *journey) register(canary, lang string) string {
	j.t.Helper()
	r := minimalRegistration(canary)
	r["languages"] = []string{lang}
	var c struct{ ID string }
	j.do(201, "POST", "/api/v1/cases", j.officer, r, &c)
	return c.ID
}

// letters returns the case's decision letters as the owner reads them.
func (j *journey) letters(caseID string) []map[string]string {
	j.t.Helper()
	var es struct {
		Entries []struct {
			Type    string            `json:"type"`
			Content map[string]string `json:"content"`
		} `json:"entries"`
	}
	j.do(200, "GET", "/api/v1/cases/"+caseID+"/entries", j.officer, nil, &es)
	var out []map[string]string
	for _, e := range es.Entries {
		if e.Type == "decision_letter" {
			out = append(out, e.Content)
		}
	}
	return out
}

// TestJourneyEndToEnd follows a person through the mechanism on nrm serve,
// as its users live it: registration, referral to a shelter that accepts
// and finds the person in its caseload, submission with its due date, a
// reasonable-grounds decision, the reflection period, the conclusive
// decision and certificate, letters in the person's language (English,
// French, Arabic) stating their reasons, a negative decision confirmed by
// a second decision maker, and the commission's statistics.
func TestJourneyEndToEnd(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		_, args := engineArgs(t, e)
		s := startServer(t, append(args, "--demo")...)
		creds := demoCredentials(t, s.stdout.String())
		j := &journey{t: t, base: s.base,
			officer: login(t, s.base, creds["officer@police.demo"]), shelter: login(t, s.base, creds["caseworker@shelter.demo"]),
			dm1: login(t, s.base, creds["decisions@authority.demo"]), dm2: login(t, s.base, creds["decisions2@authority.demo"]),
			analyst: login(t, s.base, creds["analyst@commission.demo"]), sys: login(t, s.base, creds["sysadmin@commission.demo"])}
		today := time.Now().UTC().Format(time.DateOnly)

		// The shelter in the provider directory (the demo may already list it).
		var me struct {
			OrgID string `json:"org_id"`
		}
		j.do(200, "GET", "/api/v1/me", j.shelter, nil, &me)
		j.do(200, "PUT", "/api/v1/providers/"+me.OrgID, j.sys, map[string]any{
			"name": "Demo shelter", "region": "MA-06", "regions": []string{"MA-06"}, "genders": []string{"female"},
			"accepts_adults": true, "accepts_dependants": true, "languages": []string{"en", "fr", "ar"},
			"availability": "24/7", "active": true, "services": []map[string]any{{"service": "shelter", "places": 5}},
		}, nil)

		// Registration and referral: the shelter accepts and finds the
		// person in its caseload, with the service and the next step.
		person := j.register("jrny4fr1", "fr")
		var ref struct{ ID string }
		j.do(201, "POST", "/api/v1/referrals", j.officer, map[string]any{
			"case_id": person, "service": "shelter", "urgency": "emergency", "candidates": []string{me.OrgID}}, &ref)
		j.do(200, "POST", "/api/v1/referrals/"+ref.ID+"/accept", j.shelter, nil, nil)
		var load struct {
			Caseload []struct {
				CaseID   string `json:"case_id"`
				Service  string `json:"service"`
				NextStep string `json:"next_step"`
			} `json:"caseload"`
		}
		j.do(200, "GET", "/api/v1/cases", j.shelter, nil, &load)
		if len(load.Caseload) != 1 || load.Caseload[0].CaseID != person || load.Caseload[0].Service != "shelter" {
			t.Fatalf("shelter caseload %+v, want the person for shelter", load.Caseload)
		}

		// Submission sets the reasonable-grounds due date.
		j.do(404, "GET", "/api/v1/cases/"+person+"/certificate", j.officer, nil, nil)
		j.do(200, "POST", "/api/v1/cases/"+person+"/submit", j.officer, nil, nil)
		var wf journeyWorkflow
		j.do(200, "GET", "/api/v1/cases/"+person+"/workflow", j.dm1, nil, &wf)
		if wf.DecisionState != "submitted" || wf.RGDue <= today {
			t.Fatalf("after submission %+v: want submitted with a due date after today", wf)
		}

		// Reasonable grounds, then the recovery and reflection period: the
		// conclusive decision is offered from its end, or sooner when the
		// person asks to proceed (the dates are recorded).
		j.do(200, "POST", "/api/v1/cases/"+person+"/transitions", j.dm1,
			map[string]string{"to": "rg_positive", "reason": "Indicators of coercion jrnyRG01"}, &wf)
		if wf.ReflectionEnds <= today || len(wf.NotYet) == 0 || wf.NotYet[0].PossibleFrom != wf.ReflectionEnds {
			t.Fatalf("reflection %+v: want the conclusive decision possible from its end", wf)
		}
		if st, b := call(t, "POST", s.base+"/api/v1/cases/"+person+"/transitions", j.dm1, map[string]string{"to": "cg_positive"}); st != 409 ||
			!strings.Contains(string(b), "reflection_period") {
			t.Fatalf("conclusive during reflection: %d %s", st, b)
		}
		if st, b := call(t, "POST", s.base+"/api/v1/cases/"+person+"/transitions", j.dm1,
			map[string]any{"to": "cg_positive", "proceed_early": true}); st != 409 || !strings.Contains(string(b), "proceed_early_request_required") {
			t.Fatalf("early without the person's request: %d %s", st, b)
		}
		j.do(201, "POST", "/api/v1/cases/"+person+"/entries", j.officer,
			map[string]any{"type": "proceed_early_request", "content": map[string]string{"asked": "in person, with an interpreter"}}, nil)
		j.do(200, "POST", "/api/v1/cases/"+person+"/transitions", j.dm1,
			map[string]any{"to": "cg_positive", "reason": "Exploitation established jrnyCG02", "proceed_early": true}, &wf)
		var cert map[string]any
		j.do(200, "GET", "/api/v1/cases/"+person+"/certificate", j.officer, nil, &cert)

		// A negative decision: proposed, confirmed by a second decision
		// maker, the letter stating the reasons; and a positive one.
		refused, other := j.register("jrny5ar2", "ar"), j.register("jrny6en3", "en")
		for _, id := range []string{refused, other} {
			j.do(200, "POST", "/api/v1/cases/"+id+"/transitions", j.officer, map[string]string{"to": "submitted"}, nil)
		}
		j.do(200, "POST", "/api/v1/cases/"+refused+"/transitions", j.dm1, map[string]string{"to": "rg_negative", "reason": "No indicator jrnyNG03"}, &wf)
		if !wf.Awaiting || wf.DecisionState != "submitted" {
			t.Fatalf("negative proposal %+v: want it awaiting a second decision maker", wf)
		}
		j.do(200, "POST", "/api/v1/cases/"+refused+"/transitions", j.dm2, map[string]string{"to": "rg_negative"}, nil)
		j.do(200, "POST", "/api/v1/cases/"+other+"/transitions", j.dm2, map[string]string{"to": "rg_positive", "reason": "Indicators jrnyEN04"}, nil)

		for _, tc := range []struct {
			caseID, lang string
			reasons      []string
		}{
			{person, "fr", []string{"jrnyRG01", "jrnyCG02"}},
			{refused, "ar", []string{"jrnyNG03"}},
			{other, "en", []string{"jrnyEN04"}},
		} {
			letters := j.letters(tc.caseID)
			if len(letters) != len(tc.reasons) {
				t.Fatalf("case %s: %d letters, want %d", tc.lang, len(letters), len(tc.reasons))
			}
			for i, l := range letters {
				if l["language"] != tc.lang || !strings.Contains(l["text"], tc.reasons[i]) {
					t.Fatalf("letter %+v: want %s stating %s", l, tc.lang, tc.reasons[i])
				}
			}
		}

		// Each party was told in its inbox: the shelter of the offer, the
		// officer's organisation of the acceptance (the guardian, the desk
		// and a missing person's owner: TestNotificationsEndToEnd).
		waitForNotice(t, s.base, j.shelter, "referral.offered", "", ref.ID)
		waitForNotice(t, s.base, j.officer, "referral.accepted", "", ref.ID)

		// Statistics: with five more positive decisions, the commission
		// reads this month's figure, fed through the outbox.
		j.statisticsFigure(time.Now().UTC().Format("2006-01"), func(round int) {
			for i := range 5 {
				id := j.register(fmt.Sprintf("jrnyst%d%d", round, i), "en")
				j.do(200, "POST", "/api/v1/cases/"+id+"/submit", j.officer, nil, nil)
				j.do(200, "POST", "/api/v1/cases/"+id+"/transitions", j.dm1, map[string]string{"to": "rg_positive", "reason": "Indicators"}, nil)
			}
		})
	})
}

// statisticsFigure reads, as the commission's analyst, how many adults
// had a positive reasonable-grounds decision this month: a figure of at
// least 5 (smaller cells are suppressed), cell-key perturbed. A release is
// a snapshot: when one was taken before the facts arrived, more decisions
// are made (decide) until a new release may be taken.
func (j *journey) statisticsFigure(month string, decide func(round int)) {
	j.t.Helper()
	for round := range 4 {
		decide(round)
		name := fmt.Sprintf("journey-%d", round)
		for range 20 {
			st, b := call(j.t, "POST", j.base+"/api/v1/stats/releases", j.analyst, map[string]string{"name": name, "period": month})
			if st == 201 {
				break
			}
			if st != 409 || !strings.Contains(string(b), "release_too_small") {
				j.t.Fatalf("release: %d %s", st, b)
			}
			time.Sleep(200 * time.Millisecond) // the facts are on their way
		}
		var table struct {
			Cells []struct {
				Dims       []string `json:"dims"`
				Value      *int     `json:"value"`
				Suppressed bool     `json:"suppressed"`
			} `json:"cells"`
		}
		st, b := call(j.t, "GET", j.base+"/api/v1/stats/tables/decisions_outcome_age?period="+month, j.analyst, nil)
		if st == 200 && json.Unmarshal(b, &table) == nil {
			for _, c := range table.Cells {
				if len(c.Dims) == 2 && c.Dims[0] == "rg_positive" && c.Dims[1] == "adult" && !c.Suppressed && c.Value != nil && *c.Value >= 5 {
					return
				}
			}
		}
	}
	j.t.Fatal("no figure of adults' positive reasonable-grounds decisions in the commission's table")
}
