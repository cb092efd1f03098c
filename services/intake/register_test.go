package intake_test

import (
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/facts"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

// errValidation stands for "a 400 validation error naming the field".
var errValidation = errors.New("validation")

func TestRegisterValidation(t *testing.T) {
	t.Parallel()
	env := intaketest.New(t, dbtest.SQLite(t))
	police := env.Org("police")
	tomorrow := time.Now().UTC().AddDate(0, 0, 1).Format(time.DateOnly)
	secret := "Zq9-secret-value"
	tests := []struct {
		name    string
		edit    func(r *intake.Registration)
		want    error
		message string // part of the message; the value must never be echoed
	}{
		{"unknown exploitation type", func(r *intake.Registration) { r.ExploitationTypes = []string{secret} }, errValidation, "exploitation_types[0]: must be one of sexual"},
		{"unknown nationality", func(r *intake.Registration) { r.Nationalities = []string{"XX"} }, errValidation, "nationalities"},
		{"unknown language", func(r *intake.Registration) { r.Languages = []string{"xx"} }, errValidation, "languages"},
		{"unknown region", func(r *intake.Registration) { r.Region = secret }, errValidation, "region: must be one of MA-01"},
		{"unknown indicator", func(r *intake.Registration) { r.Indicators = []string{secret} }, errValidation, "indicators"},
		{"unknown need", func(r *intake.Registration) { r.Needs = []string{secret} }, errValidation, "needs"},
		{"unknown gender", func(r *intake.Registration) { r.Gender = secret }, errValidation, "gender"},
		{"unknown risk", func(r *intake.Registration) { r.RiskLevel = secret }, errValidation, "risk_level"},
		{"identified in the future", func(r *intake.Registration) { r.IdentifiedOn = tomorrow }, errValidation, "identified_on"},
		{"bad date", func(r *intake.Registration) { r.IdentifiedOn = "2026-02-30" }, errValidation, "identified_on"},
		{"name too long", func(r *intake.Registration) { r.Identity.FullName = strings.Repeat("a", 201) }, errValidation, "identity.full_name"},
		{"narrative too long", func(r *intake.Registration) { r.Narrative.Account = strings.Repeat("a", 64<<10+1) }, errValidation, "narrative.account"},
		{"adult on nrm without consent", func(r *intake.Registration) { r.Consent.NRMReferral = false }, intake.ErrConsentRequired, ""},
		{"child on assistance", func(r *intake.Registration) { r.Route, r.AgeGroup = intake.RouteAssistance, "child" }, errValidation, "route: assistance is for adults"},
		{"disputed age on anonymous", func(r *intake.Registration) {
			r.Route, r.AgeDisputed, r.Identity, r.Narrative, r.Health, r.Legal = intake.RouteAnonymous, true, nil, nil, nil, nil
		}, errValidation, "route: anonymous is for adults"},
		{"anonymous with identity", func(r *intake.Registration) { r.Route = intake.RouteAnonymous }, errValidation, "route: an anonymous notification"},
		{"missing region", func(r *intake.Registration) { r.Region = "" }, errValidation, "region: required"},
		{"unknown route", func(r *intake.Registration) { r.Route = secret }, errValidation, "route: must be one of"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := intaketest.Registration("Amina Test")
			tt.edit(&r)
			_, err := env.Service.Register(intaketest.Officer(police), r)
			if tt.want == errValidation {
				e := kit.AsError(err)
				if err == nil || e.Code != kit.CodeValidation || !strings.Contains(e.Message, tt.message) {
					t.Fatalf("error = %v, want validation naming %q", err, tt.message)
				}
			} else {
				wantErr(t, err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), secret) {
				t.Fatalf("error echoes the value: %v", err)
			}
		})
	}
}

func TestRoutesAndPresumptionOfMinority(t *testing.T) {
	t.Parallel()
	env := intaketest.New(t, dbtest.SQLite(t))
	police := env.Org("police")
	tests := []struct {
		name      string
		edit      func(r *intake.Registration)
		wantChild bool
	}{
		{"adult consenting", func(r *intake.Registration) {}, false},
		{"child without nrm consent", func(r *intake.Registration) { r.AgeGroup, r.Consent = "child", intake.ConsentInput{} }, true},
		{"unknown age without consent", func(r *intake.Registration) { r.AgeGroup, r.Consent = "unknown", intake.ConsentInput{} }, true},
		{"disputed adult without consent", func(r *intake.Registration) { r.AgeDisputed, r.Consent = true, intake.ConsentInput{} }, true},
		{"assistance adult", func(r *intake.Registration) {
			r.Route, r.Consent = intake.RouteAssistance, intake.ConsentInput{Assistance: true}
		}, false},
		{"anonymous adult", func(r *intake.Registration) {
			r.Route, r.Consent, r.Identity, r.Narrative, r.Health, r.Legal = intake.RouteAnonymous, intake.ConsentInput{}, nil, nil, nil, nil
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := intaketest.Registration("Amina Test")
			tt.edit(&r)
			c, err := env.Service.Register(intaketest.Officer(police), r)
			if err != nil {
				t.Fatal(err)
			}
			if c.TreatedAsChild != tt.wantChild || c.Status != intake.StatusRegistered || c.Route != r.Route {
				t.Fatalf("case = child %v status %s route %s, want child %v", c.TreatedAsChild, c.Status, c.Route, tt.wantChild)
			}
			if len(c.Consents) != 3 {
				t.Fatalf("consent records = %d, want one per purpose", len(c.Consents))
			}
		})
	}
}

func TestReferencesUniqueUnderConcurrency(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := intaketest.New(t, e)
		police := env.Org("police")
		const n = 24
		refs := make(chan string, n)
		var wg sync.WaitGroup
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c, err := env.Service.Register(intaketest.Officer(police), intaketest.Registration("Concurrent Person"))
				if err != nil {
					t.Error(err)
					return
				}
				refs <- c.Reference
			}()
		}
		wg.Wait()
		close(refs)
		seen := map[string]bool{}
		re := regexp.MustCompile(`^NRM-\d{4}-\d{6}$`)
		for r := range refs {
			if seen[r] || !re.MatchString(r) {
				t.Fatalf("reference %q repeated or malformed", r)
			}
			seen[r] = true
		}
		if len(seen) != n {
			t.Fatalf("%d references, want %d", len(seen), n)
		}
	})
}

func TestDraftLifecycle(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := intaketest.New(t, e)
		police, other := env.Org("police"), env.Org("police")
		officer := intaketest.Officer(police)
		draft, err := env.Service.Register(officer, intake.Registration{Route: intake.RouteNRM, Draft: true,
			Identity: &intake.IdentityInfo{FullName: "First Draft Name"}})
		if err != nil {
			t.Fatalf("lenient draft refused: %v", err)
		}
		if draft.Status != intake.StatusDraft || !draft.TreatedAsChild {
			t.Fatalf("draft = %s child %v", draft.Status, draft.TreatedAsChild)
		}
		_, err = env.Service.Finalize(officer, draft.ID)
		if kit.AsError(err).Code != kit.CodeValidation {
			t.Fatalf("finalize of an incomplete draft = %v, want validation", err)
		}
		_, err = env.Service.UpdateDraft(intaketest.Officer(other), draft.ID, intaketest.Registration("X"))
		wantErr(t, err, intake.ErrNotFound)

		full := intaketest.Registration("Second Draft Name")
		full.Draft = true
		if _, err := env.Service.UpdateDraft(officer, draft.ID, full); err != nil {
			t.Fatal(err)
		}
		got, err := env.Service.Get(officer, draft.ID)
		if err != nil {
			t.Fatal(err)
		}
		if identityOf(t, got).FullName != "Second Draft Name" || len(got.Sections) != 4 {
			t.Fatalf("draft not replaced: %v", sectionNames(got))
		}
		if n := count(t, env, `SELECT COUNT(*) FROM sections WHERE case_id = $1`, draft.ID); n != 4 {
			t.Fatalf("%d section rows after replace, want 4", n)
		}
		fin, err := env.Service.Finalize(officer, draft.ID)
		if err != nil || fin.Status != intake.StatusRegistered {
			t.Fatalf("finalize = %v, %v", fin.Status, err)
		}
		_, err = env.Service.UpdateDraft(officer, draft.ID, full)
		wantErr(t, err, intake.ErrNotDraft)
		_, err = env.Service.Finalize(officer, draft.ID)
		wantErr(t, err, intake.ErrNotDraft)
	})
}

func TestConsentRecords(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := intaketest.New(t, e)
		police := env.Org("police")
		officer := intaketest.Officer(police)
		c := env.Register(t, police, intaketest.Registration("Consent Person"))
		got, err := env.Service.RecordConsent(officer, c.ID, intake.ConsentInput{Assistance: true, ExplainedIn: "ar", Interpreter: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Consents) != 6 {
			t.Fatalf("%d records, want 6 (appended, nothing overwritten)", len(got.Consents))
		}
		last := got.Consents[len(got.Consents)-1]
		if last.Purpose != intake.PurposeDataSharing || last.Granted || last.ExplainedIn != "ar" || !last.Interpreter || last.RecordedOrg != police.ID {
			t.Fatalf("last record = %+v", last)
		}
		_, err = env.Service.RecordConsent(intaketest.Officer(env.Org("ngo")), c.ID, intake.ConsentInput{})
		wantErr(t, err, intake.ErrNotFound)
		if _, ok := lastAudit(t, env, "intake.consent.record", c.ID); !ok {
			t.Fatal("consent change not audited")
		}
	})
}

func TestStatsEventsDeidentified(t *testing.T) {
	t.Parallel()
	env := intaketest.New(t, dbtest.SQLite(t))
	police := env.Org("police")
	env.Org(intake.OrgKindCompetentAuthority)
	c := env.Register(t, police, intaketest.Registration("Statistic Person"))
	if _, err := env.Service.Submit(intaketest.Officer(police), c.ID); err != nil {
		t.Fatal(err)
	}
	payloads := outboxPayloads(t, env, intake.TopicStats)
	if len(payloads) != 2 {
		t.Fatalf("%d stats events, want registered and submitted", len(payloads))
	}
	for _, p := range payloads {
		if strings.Contains(p, c.ID) || strings.Contains(p, c.Reference) || strings.Contains(p, "Statistic") || strings.Contains(p, police.ID) {
			t.Fatalf("stats event identifies the case: %s", p)
		}
		if !strings.Contains(p, `"case_key":"`) {
			t.Fatalf("stats event without a pseudonymous key: %s", p)
		}
		// The one statistics contract: nothing statistics would not read.
		dec := json.NewDecoder(strings.NewReader(p))
		dec.DisallowUnknownFields()
		var e facts.Event
		if err := dec.Decode(&e); err != nil || e.Type == "" {
			t.Fatalf("stats event outside pkg/facts: %s: %v", p, err)
		}
	}
	if !strings.Contains(payloads[0], `"region":"MA-06"`) || !strings.Contains(payloads[0], `"org_kind":"police"`) {
		t.Fatalf("registered event lacks its attributes: %s", payloads[0])
	}
}
