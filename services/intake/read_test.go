package intake_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

// On PostgreSQL a read is one statement; it must see exactly what the
// read transaction (SQLite's path) sees, for every shape of case and
// caller: grants of each status, consents with and without expiry, a
// draft without sections, callers with and without a wrap or MACs,
// missing and malformed ids.
func TestReadPathsAgree(t *testing.T) {
	t.Parallel()
	env := intaketest.New(t, dbtest.Postgres(t))
	police, other := env.Org("police"), env.Org("police")
	active, pending, revoked := env.Org("ngo"), env.Org("ngo"), env.Org("ngo")
	authority := env.Org(intake.OrgKindCompetentAuthority)
	officer := intaketest.Officer(police)

	full := env.Register(t, police, intaketest.Registration("Paths Person"))
	g := grant(t, env, police, active, full.ID, intake.SectionIdentity, intake.SectionNarrative)
	if _, err := env.Service.ActivateGrant(intaketest.As(active, auth.RoleNGOCaseworker), full.ID, g.ID); err != nil {
		t.Fatal(err)
	}
	grant(t, env, police, pending, full.ID, intake.SectionIdentity)
	g = grant(t, env, police, revoked, full.ID, intake.SectionHealth)
	if _, err := env.Service.ActivateGrant(intaketest.As(revoked, auth.RoleNGOCaseworker), full.ID, g.ID); err != nil {
		t.Fatal(err)
	}
	if err := env.Service.RevokeGrant(officer, full.ID, g.ID); err != nil {
		t.Fatal(err)
	}
	expires := time.Now().UTC().AddDate(1, 0, 0).Format(time.DateOnly)
	if _, err := env.Service.RecordConsent(officer, full.ID, intake.ConsentInput{Assistance: true, NRMReferral: true,
		DataSharing: true, ShareWith: []string{"ngo", "health"}, ExplainedIn: "fr", Interpreter: true, ExpiresOn: expires}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Service.Submit(officer, full.ID); err != nil {
		t.Fatal(err)
	}
	draft, err := env.Service.Register(officer, intake.Registration{Route: intake.RouteNRM, Draft: true})
	if err != nil {
		t.Fatal(err)
	}

	ids := []string{full.ID, draft.ID, event.NewID(), "not-a-case"}
	for _, id := range ids {
		for _, org := range []intake.OrgInfo{police, other, active, pending, revoked, authority} {
			if err := intake.ReadPathsAgree(context.Background(), env.DB, id, org.ID); err != nil {
				t.Errorf("case %s, org %s: %v", id, org.ID, err)
			}
		}
	}
}

// Reads that differ only in their data give the same answers on both
// engines: a draft without sections is its owner's alone, consents come
// back as recorded, a missing case is a denial like a forbidden one.
func TestReadShapes(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := intaketest.New(t, e)
		police, other := env.Org("police"), env.Org("police")
		officer := intaketest.Officer(police)

		draft, err := env.Service.Register(officer, intake.Registration{Route: intake.RouteNRM, Draft: true})
		if err != nil {
			t.Fatal(err)
		}
		got, err := env.Service.Get(officer, draft.ID)
		if err != nil || got.Status != intake.StatusDraft || got.Sections != nil || got.Withheld != nil {
			t.Fatalf("owner's read of an empty draft = %+v, %v", got, err)
		}

		c := env.Register(t, police, intaketest.Registration("Shapes Person"))
		expires := time.Now().UTC().AddDate(0, 6, 0).Format(time.DateOnly)
		recorded, err := env.Service.RecordConsent(officer, c.ID, intake.ConsentInput{Assistance: true,
			DataSharing: true, ShareWith: []string{"ngo"}, ExplainedIn: "ar", Interpreter: true, ExpiresOn: expires})
		if err != nil {
			t.Fatal(err)
		}
		got, err = env.Service.Get(officer, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.Consents, recorded.Consents) || got.Consents[len(got.Consents)-1].ExpiresAt == nil {
			t.Fatalf("consents read = %+v\nrecorded = %+v", got.Consents, recorded.Consents)
		}
		if len(got.Sections) != 4 || got.Withheld != nil {
			t.Fatalf("owner's read: sections %v, withheld %v", sectionNames(got), got.Withheld)
		}

		for _, id := range []string{draft.ID, c.ID, event.NewID()} {
			got, err := env.Service.Get(intaketest.Officer(other), id)
			wantErr(t, err, intake.ErrNotFound)
			if got.ID != "" {
				t.Fatal("a denied read returned data")
			}
			if ev, ok := lastAudit(t, env, "intake.case.read", id); !ok || ev.Outcome != event.Denied {
				t.Fatalf("denial of %s not audited: %+v", id, ev)
			}
		}
	})
}
