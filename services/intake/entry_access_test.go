package intake_test

import (
	"encoding/base64"
	"encoding/json"
	"testing"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

// entryKindCase is a submitted adult's case with one entry of every kind
// and callers in every relation to it. The owner's entries are written
// after the submission and the grants, or before them when entriesFirst.
type entryKindCase struct {
	caseID  string
	ids     map[string]string // entry kind -> entry id
	callers map[string]string // relation -> token
	// The break-glass opener and the desk it works at.
	openerID string
	desk     intake.OrgInfo
}

// Relations of TestEntriesFollowTheGrantSections (columns of its table).
var entryRelations = []string{"owner", "authority", "identity grantee", "narrative grantee", "legal grantee",
	"health grantee", "break-glass opener", "opener's colleague", "other org"}

func (w *realWorld) entryKindCase(t *testing.T, entriesFirst bool) entryKindCase {
	t.Helper()
	owner := intaketest.Officer(w.owner)
	c := w.env.Register(t, w.owner, intaketest.Registration("Entries "+event.NewID()))
	k := entryKindCase{caseID: c.ID, ids: map[string]string{}, callers: map[string]string{
		"owner":     w.token(t, w.owner, auth.RoleFrontlineOfficer),
		"authority": w.token(t, w.authority, auth.RoleDecisionMaker),
		"other org": w.token(t, w.other, auth.RoleNGOCaseworker),
	}}
	add := func(typ string, content any, supersedes string) string {
		raw, _ := json.Marshal(content)
		e, err := w.env.Service.AddEntry(owner, c.ID, intake.EntryInput{Type: typ, Content: raw, Supersedes: supersedes})
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		return e.ID
	}
	grant := func() {
		if _, err := w.env.Service.Submit(owner, c.ID); err != nil {
			t.Fatal(err)
		}
		for _, sec := range []string{intake.SectionIdentity, intake.SectionNarrative, intake.SectionLegal, intake.SectionHealth} {
			org := w.env.Org("ngo")
			g, err := w.env.Service.GrantPending(owner, intake.GrantRequest{CaseID: c.ID, OrgID: org.ID, Sections: []string{sec}, Purpose: "referral"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.env.Service.ActivateGrant(intaketest.As(org, auth.RoleNGOCaseworker), c.ID, g.ID); err != nil {
				t.Fatal(err)
			}
			k.callers[sec+" grantee"] = w.token(t, org, auth.RoleNGOCaseworker)
		}
	}
	write := func() {
		png := base64.StdEncoding.EncodeToString(append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 32)...))
		k.ids[intake.EntryNote] = add(intake.EntryNote, map[string]string{"text": "note"}, "")
		k.ids[intake.EntryServiceDelivered] = add(intake.EntryServiceDelivered, map[string]string{"text": "service"}, "")
		k.ids[intake.EntrySupportPlan] = add(intake.EntrySupportPlan, map[string]string{"text": "plan"}, "")
		k.ids[intake.EntryInterview] = add(intake.EntryInterview, map[string]string{"text": "police interview"}, "")
		k.ids[intake.EntryCorrection] = add(intake.EntryCorrection, map[string]string{"text": "interview corrected"}, k.ids[intake.EntryInterview])
		k.ids[intake.EntryAttachment] = add(intake.EntryAttachment, map[string]string{"media_type": "image/png", "data": png}, "")
		k.ids[intake.EntryAgeAssessment] = add(intake.EntryAgeAssessment, map[string]string{"outcome": "adult"}, "")
		k.ids[intake.EntryBestInterests] = add(intake.EntryBestInterests, map[string]string{"text": "assessment"}, "")
	}
	if entriesFirst {
		write()
		grant()
	} else {
		grant()
		write()
	}
	dm := intaketest.As(w.authority, auth.RoleDecisionMaker)
	if _, err := w.env.Service.Transition(dm, c.ID, intake.TransitionRequest{To: intake.DecisionRGPositive, Reason: "decision reasons"}); err != nil {
		t.Fatal(err)
	}
	// The national referral desk in a second authority, added after the
	// submission: no decision grant, so what its users read comes from the
	// emergency access, opened by the coordinator (who also decides, so
	// that the entries route is open to the role).
	opener, desk := event.NewID(), w.env.Org(intake.OrgKindCompetentAuthority)
	k.openerID, k.desk = opener, desk
	k.callers["break-glass opener"] = w.rolesToken(t, opener, desk, auth.RoleCoordinator, auth.RoleDecisionMaker)
	k.callers["opener's colleague"] = w.token(t, desk, auth.RoleDecisionMaker)
	if got := call(t, w.srv, k.callers["break-glass opener"], "POST", "/api/v1/cases/"+c.ID+"/break-glass",
		intake.BreakGlassInput{Reason: "urgent"}); got.status != 201 {
		t.Fatalf("break glass: %d", got.status)
	}
	es, err := w.env.Service.Entries(owner, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		switch e.Type {
		case "decision", "decision_letter", "break_glass_reason":
			k.ids[e.Type] = e.ID
		}
	}
	return k
}

// readableEntries returns the ids of the entries the token's caller reads
// with content over HTTP.
func readableEntries(t *testing.T, w *realWorld, tok, caseID string) map[string]bool {
	t.Helper()
	got := call(t, w.srv, tok, "GET", "/api/v1/cases/"+caseID+"/entries", nil)
	out := map[string]bool{}
	if got.status == 404 {
		return out
	}
	if got.status != 200 {
		t.Fatalf("entries: %d (%s)", got.status, got.code)
	}
	list, _ := got.decoded["entries"].([]any)
	for _, raw := range list {
		if e, _ := raw.(map[string]any); e["content"] != nil {
			out[e["id"].(string)] = true
		}
	}
	return out
}

// TestEntriesFollowTheGrantSections replays issue 18's finding (a shelter
// granted identity read the police interview, the decision reasons and
// letter, and the break-glass reason) as the table of docs/access-model.md,
// cell by cell: entry kind × relation, over HTTP.
func TestEntriesFollowTheGrantSections(t *testing.T) {
	t.Parallel()
	const y, n = true, false
	// Columns: entryRelations.
	table := []entryKindRow{
		{intake.EntryNote, [9]bool{y, y, n, y, n, n, y, n, n}},
		{intake.EntryServiceDelivered, [9]bool{y, y, n, y, n, n, y, n, n}},
		{intake.EntrySupportPlan, [9]bool{y, y, n, y, n, n, y, n, n}},
		{intake.EntryAgeAssessment, [9]bool{y, y, n, y, n, n, y, n, n}},
		{intake.EntryBestInterests, [9]bool{y, y, n, y, n, n, y, n, n}},
		{intake.EntryInterview, [9]bool{y, y, n, n, y, n, y, n, n}},
		{intake.EntryCorrection, [9]bool{y, y, n, n, y, n, y, n, n}}, // of the interview
		{intake.EntryAttachment, [9]bool{y, y, n, n, y, n, y, n, n}},
		{"decision", [9]bool{y, y, n, n, y, n, y, n, n}},
		{"decision_letter", [9]bool{y, y, n, n, y, n, y, n, n}},
		{"break_glass_reason", [9]bool{y, n, n, n, n, n, y, n, n}},
	}
	// Entries written before the grants follow the same table: a grant
	// opens its classes whenever the entry was written (the decision maker
	// read nothing recorded before the submission).
	for _, order := range []struct {
		name         string
		entriesFirst bool
	}{{"entries after grants", false}, {"entries before grants", true}} {
		t.Run(order.name, func(t *testing.T) {
			t.Parallel()
			entriesFollowTheGrantSections(t, table, order.entriesFirst)
		})
	}
}

// entryKindRow is a row of TestEntriesFollowTheGrantSections: who reads an
// entry of kind, by entryRelations.
type entryKindRow struct {
	kind string
	want [9]bool
}

func entriesFollowTheGrantSections(t *testing.T, table []entryKindRow, entriesFirst bool) {
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		w := newRealWorldOn(t, e)
		k := w.entryKindCase(t, entriesFirst)
		reads := map[string]map[string]bool{}
		for _, rel := range entryRelations {
			reads[rel] = readableEntries(t, w, k.callers[rel], k.caseID)
		}
		for _, row := range table {
			id, ok := k.ids[row.kind]
			if !ok {
				t.Fatalf("no %s entry in the case", row.kind)
			}
			for i, rel := range entryRelations {
				t.Run(row.kind+"/"+rel, func(t *testing.T) {
					if got := reads[rel][id]; got != row.want[i] {
						t.Fatalf("%s reads a %s entry: %v, want %v", rel, row.kind, got, row.want[i])
					}
				})
			}
		}
		// The keys follow the rule too: nothing a relation may not read is
		// wrapped to it (the opener's colleague shares the opener's key).
		for _, kind := range []string{intake.EntryInterview, "decision", "decision_letter", "break_glass_reason"} {
			if n := count(t, w.env, `SELECT COUNT(*) FROM entry_keys k JOIN grants g ON g.org_id = k.org_id AND g.case_id = $2
				WHERE k.entry_id = $1 AND g.sections = 'identity'`, k.ids[kind], k.caseID); n != 0 {
				t.Errorf("the key of the %s entry is wrapped to the identity grantee", kind)
			}
		}
	})
}
