package intake_test

import (
	"testing"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

// TestDisclosureStands: a recorded disclosure is checked again before its
// package is handed out: by the same relation, and a consent basis
// against the person's consent as it is now.
func TestDisclosureStands(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := intaketest.New(t, e)
		police, other := env.Org("police"), env.Org("ngo")
		officer := intaketest.Officer(police)
		c := env.Register(t, police, intaketest.Registration("Disclosure Stands"))
		if _, err := env.Service.RecordConsent(officer, c.ID, intake.ConsentInput{Assistance: true, NRMReferral: true,
			DataSharing: true, ShareWith: []string{"ngo"}}); err != nil {
			t.Fatal(err)
		}
		d, err := env.Service.Disclose(officer, c.ID, intake.DisclosureInput{RecipientKind: "ngo", LegalBasis: "consent",
			Sections: []string{"identity"}})
		if err != nil {
			t.Fatal(err)
		}
		ex := env.Intake.Packages
		if err := ex.DisclosureStands(officer, c.ID, d.ID); err != nil {
			t.Fatalf("while consent stands: %v", err)
		}
		if err := ex.DisclosureStands(intaketest.Officer(other), c.ID, d.ID); !kitIs(err, kit.CodeNotFound) {
			t.Fatalf("another organisation: %v", err)
		}
		if err := ex.DisclosureStands(officer, c.ID, c.ID); !kitIs(err, kit.CodeNotFound) {
			t.Fatalf("an unknown disclosure: %v", err)
		}
		if _, err := env.Service.RecordConsent(officer, c.ID, intake.ConsentInput{DataSharing: false,
			Purposes: []string{"data_sharing"}}); err != nil {
			t.Fatal(err)
		}
		if err := ex.DisclosureStands(officer, c.ID, d.ID); !kitIs(err, intake.CodeConsentRequired) {
			t.Fatalf("after consent was withdrawn: %v", err)
		}
	})
}

func kitIs(err error, code string) bool { return err != nil && kit.AsError(err).Code == code }
