package intake_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/facts"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

func (f *fakeService) ConfirmDuplicate(ctx context.Context, id string, samePerson bool) (intake.Duplicate, error) {
	if err := f.record(ctx, "ConfirmDuplicate", id, samePerson); err != nil {
		return intake.Duplicate{}, err
	}
	d := f.dups.Duplicates[0]
	d.Status, d.DecidedBy, d.DecidedAt = intake.DuplicateConfirmed, userID, &at
	return d, nil
}

// statsOf decodes the stats events in the outbox, in order.
func statsOf(t testing.TB, env *intaketest.Env) ([]facts.Event, []string) {
	t.Helper()
	raw := outboxPayloads(t, env, intake.TopicStats)
	out := make([]facts.Event, len(raw))
	for i, p := range raw {
		if err := json.Unmarshal([]byte(p), &out[i]); err != nil {
			t.Fatal(err)
		}
	}
	return out, raw
}

// lastRegisteredKey returns the statistics key of the case whose registration is the
// last "registered" event in the outbox.
func lastRegisteredKey(t testing.TB, env *intaketest.Env) string {
	t.Helper()
	evs, _ := statsOf(t, env)
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Type == "registered" {
			return evs[i].CaseKey
		}
	}
	t.Fatal("no registered event")
	return ""
}

// duplicatePair registers two cases of the same person and returns the
// possible duplicate found, with each case's statistics key.
func duplicatePair(t testing.TB, env *intaketest.Env, org intake.OrgInfo) (d intake.Duplicate, laterKey, matchedKey string) {
	t.Helper()
	name := "Duplicate Person " + event.NewID()
	first := env.Register(t, org, intaketest.Registration(name))
	matchedKey = lastRegisteredKey(t, env)
	later := env.Register(t, org, intaketest.Registration(name))
	laterKey = lastRegisteredKey(t, env)
	// The coordinator's view carries no case id; the test knows them.
	d = findDuplicate(t, env, later.ID, first.ID)
	d.CaseID, d.MatchesID = later.ID, first.ID
	return d, laterKey, matchedKey
}

// findDuplicate returns the possible duplicate of caseID matching matchesID.
func findDuplicate(t testing.TB, env *intaketest.Env, caseID, matchesID string) intake.Duplicate {
	t.Helper()
	var id string
	if err := env.DB.QueryRowContext(context.Background(), `SELECT id FROM duplicates WHERE case_id = $1 AND matches_id = $2`,
		caseID, matchesID).Scan(&id); err != nil {
		t.Fatalf("no duplicate recorded: %v", err)
	}
	page, err := env.Service.Duplicates(intaketest.As(env.Org("commission"), auth.RoleCoordinator), intake.ListQuery{Limit: intake.MaxListLimit})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range page.Duplicates {
		if d.ID == id {
			if d.CaseID != "" || d.MatchesID != "" {
				t.Fatalf("a coordinator of another organisation sees case ids: %+v", d)
			}
			return d
		}
	}
	t.Fatalf("duplicate %s not listed", id)
	return intake.Duplicate{}
}

func TestConfirmDuplicate(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := intaketest.New(t, e)
		police, desk := env.Org("police"), env.Org("commission")
		coordinator := intaketest.As(desk, auth.RoleCoordinator)
		p, _ := auth.FromContext(coordinator)

		d, laterKey, matchedKey := duplicatePair(t, env, police)
		if d.Status != intake.DuplicatePending || d.DecidedBy != "" || d.DecidedAt != nil {
			t.Fatalf("a new duplicate is not pending: %+v", d)
		}
		_, before := statsOf(t, env)

		got, err := env.Service.ConfirmDuplicate(coordinator, d.ID, true)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != d.ID || got.CaseID != "" || got.MatchesID != "" || got.CaseOrg != police.ID || got.Status != intake.DuplicateConfirmed ||
			got.DecidedBy != p.UserID || got.DecidedAt == nil {
			t.Fatalf("confirmed duplicate = %+v", got)
		}
		if listed := findDuplicate(t, env, d.CaseID, d.MatchesID); listed.Status != intake.DuplicateConfirmed ||
			listed.DecidedBy != p.UserID || listed.DecidedAt == nil || !listed.DecidedAt.Equal(*got.DecidedAt) {
			t.Fatalf("listed after confirmation = %+v, returned %+v", listed, got)
		}

		evs, raw := statsOf(t, env)
		added, addedRaw := evs[len(before):], raw[len(before):]
		if len(added) != 1 || added[0].Type != "linked" {
			t.Fatalf("confirmation emitted %d stats events, want one linked: %v", len(added), addedRaw)
		}
		if added[0].CaseKey != laterKey || added[0].LinkedKey != matchedKey || laterKey == matchedKey {
			t.Fatalf("linked %s -> %s, want the later case %s -> the matched %s", added[0].CaseKey, added[0].LinkedKey, laterKey, matchedKey)
		}
		for _, id := range []string{d.ID, d.CaseID, d.MatchesID, p.UserID} {
			if strings.Contains(addedRaw[0], id) {
				t.Fatalf("an id in clear in the stats event: %s", addedRaw[0])
			}
		}
		if ev, ok := lastAudit(t, env, "intake.duplicate.confirm", d.ID); !ok || ev.Outcome != event.Allowed || ev.ActorUser != p.UserID {
			t.Fatalf("confirmation audited as %+v (found %v)", ev, ok)
		}

		// Decided once: neither a second confirmation nor a rejection.
		for _, same := range []bool{true, false} {
			_, err := env.Service.ConfirmDuplicate(intaketest.As(police, auth.RoleDecisionMaker), d.ID, same)
			wantErr(t, err, intake.ErrDuplicateDecided)
			if ke := kit.AsError(err); ke.Status != http.StatusConflict || ke.Code != kit.CodeConflict {
				t.Fatalf("second decision: %v", err)
			}
		}
		if _, after := statsOf(t, env); len(after) != len(raw) {
			t.Fatalf("a refused decision emitted %v", after[len(raw):])
		}
		if listed := findDuplicate(t, env, d.CaseID, d.MatchesID); listed.Status != intake.DuplicateConfirmed || listed.DecidedBy != p.UserID {
			t.Fatalf("a refused decision changed the duplicate: %+v", listed)
		}
	})
}

func TestRejectDuplicate(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := intaketest.New(t, e)
		police := env.Org("police")
		dm := intaketest.As(env.Org(intake.OrgKindCompetentAuthority), auth.RoleDecisionMaker)
		d, _, _ := duplicatePair(t, env, police)
		_, before := statsOf(t, env)

		got, err := env.Service.ConfirmDuplicate(dm, d.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != intake.DuplicateRejected || got.DecidedAt == nil || got.DecidedBy == "" {
			t.Fatalf("rejected duplicate = %+v", got)
		}
		if _, after := statsOf(t, env); len(after) != len(before) {
			t.Fatalf("a rejection emitted stats events: %v", after[len(before):])
		}
		if ev, ok := lastAudit(t, env, "intake.duplicate.reject", d.ID); !ok || ev.Outcome != event.Allowed {
			t.Fatalf("rejection audited as %+v (found %v)", ev, ok)
		}
		_, err = env.Service.ConfirmDuplicate(dm, d.ID, true)
		wantErr(t, err, intake.ErrDuplicateDecided)
		if _, after := statsOf(t, env); len(after) != len(before) {
			t.Fatalf("confirming a rejected duplicate emitted %v", after[len(before):])
		}
	})
}

func TestConfirmDuplicateRefusals(t *testing.T) {
	t.Parallel()
	env := intaketest.New(t, dbtest.SQLite(t))
	police := env.Org("police")
	d, _, _ := duplicatePair(t, env, police)
	_, before := statsOf(t, env)

	for _, role := range []string{auth.RoleFrontlineOfficer, auth.RoleNGOCaseworker, auth.RoleGuardian, auth.RoleAuditor} {
		_, err := env.Service.ConfirmDuplicate(intaketest.As(police, role), d.ID, true)
		wantErr(t, err, kit.ErrForbidden)
	}
	if ev, ok := lastAudit(t, env, "intake.duplicate.confirm", d.ID); !ok || ev.Outcome != event.Denied {
		t.Fatalf("refusal audited as %+v (found %v)", ev, ok)
	}
	coordinator := intaketest.As(police, auth.RoleCoordinator)
	for _, id := range []string{event.NewID(), "not-a-uuid", ""} {
		_, err := env.Service.ConfirmDuplicate(coordinator, id, true)
		wantErr(t, err, intake.ErrNotFound)
	}
	_, err := env.Service.ConfirmDuplicate(context.Background(), d.ID, true)
	wantErr(t, err, kit.ErrUnauthenticated)
	if _, after := statsOf(t, env); len(after) != len(before) {
		t.Fatalf("a refused call emitted %v", after[len(before):])
	}
	if listed := findDuplicate(t, env, d.CaseID, d.MatchesID); listed.Status != intake.DuplicatePending {
		t.Fatalf("a refused call decided the duplicate: %+v", listed)
	}
}

// TestConfirmDuplicateRace: of concurrent decisions on one duplicate,
// exactly one succeeds and at most one linked event is emitted.
func TestConfirmDuplicateRace(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := intaketest.New(t, e)
		d, _, _ := duplicatePair(t, env, env.Org("police"))
		_, before := statsOf(t, env)
		desk := env.Org("commission")
		const n = 6
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				_, errs[i] = env.Service.ConfirmDuplicate(intaketest.As(desk, auth.RoleCoordinator), d.ID, true)
			})
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !isConflict(err):
				t.Fatalf("concurrent decision: %v", err)
			}
		}
		evs, _ := statsOf(t, env)
		if ok != 1 || len(evs) != len(before)+1 {
			t.Fatalf("%d decisions succeeded, %d events emitted; want 1 and 1", ok, len(evs)-len(before))
		}
	})
}

func isConflict(err error) bool {
	ke := kit.AsError(err)
	return ke.Status == http.StatusConflict
}

// TestConfirmDuplicateOverHTTP: the real transport, policy and service,
// through the HTTP client.
func TestConfirmDuplicateOverHTTP(t *testing.T) {
	t.Parallel()
	w := newRealWorld(t)
	d, _, _ := duplicatePair(t, w.env, w.owner)
	desk := w.env.Org("commission")
	c, err := intake.NewClient(w.srv.URL, w.srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	as := func(role string) context.Context {
		return auth.WithPrincipal(context.Background(), auth.Principal{UserID: event.NewID(), Token: w.token(t, desk, role)})
	}
	_, err = c.ConfirmDuplicate(as(auth.RoleFrontlineOfficer), d.ID, true)
	wantErr(t, err, kit.ErrForbidden)

	path := "/api/v1/duplicates/" + d.ID + "/confirm"
	tok := w.token(t, desk, auth.RoleCoordinator)
	for _, tc := range []struct {
		body   any
		status int
		code   string
	}{
		{map[string]any{}, 400, kit.CodeValidation},
		{`{"same_person":"yes"}`, 400, kit.CodeInvalidType},
		{map[string]any{"same_person": true, "status": "rejected"}, 400, kit.CodeUnknownField},
	} {
		if got := call(t, w.srv, tok, "POST", path, tc.body); got.status != tc.status || got.code != tc.code {
			t.Fatalf("body %v: %d %s, want %d %s", tc.body, got.status, got.code, tc.status, tc.code)
		}
	}
	if got := call(t, w.srv, tok, "POST", "/api/v1/duplicates/x/confirm", map[string]any{"same_person": true}); got.status != 404 {
		t.Fatalf("malformed id: %d", got.status)
	}

	got, err := c.ConfirmDuplicate(as(auth.RoleCoordinator), d.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != intake.DuplicateConfirmed || got.CaseID != "" || got.MatchesID != "" || got.CaseOrg != d.CaseOrg || got.DecidedAt == nil {
		t.Fatalf("confirmed over HTTP: %+v", got)
	}
	res := call(t, w.srv, w.token(t, desk, auth.RoleDecisionMaker), "POST", path, map[string]any{"same_person": false})
	if res.status != http.StatusConflict || res.code != kit.CodeConflict {
		t.Fatalf("second decision over HTTP: %d %s", res.status, res.code)
	}
	if res.header.Get("Cache-Control") != "no-store" {
		t.Fatal("a decision answer is cacheable")
	}
}
