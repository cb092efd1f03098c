package intake_test

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"filippo.io/age/armor"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

// recipient returns a fresh external organisation's public key.
func recipient(t *testing.T) string {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	return id.Recipient().String()
}

// TestBuildPackage: the package holds the summary and the named sections
// only, readable by the recipient alone; another organisation gets not
// found, and a bad key is a validation error naming the recipient.
func TestBuildPackage(t *testing.T) {
	env := intaketest.New(t, dbtest.SQLite(t))
	police, other := env.Org("police"), env.Org("ngo")
	c := env.Register(t, police, intaketest.Registration("Packaged Person"))
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	spec := intake.PackageSpec{PackageID: "p1", ReferralID: "r1", ProducedAt: time.Now().UTC(), LegalBasis: "consent",
		Destination: "FR", Service: "legal_aid", Urgency: "normal", Summary: intake.PackageSummary{Region: "MA-06", GroupSize: 1},
		Sections: []string{intake.SectionIdentity, intake.SectionLegal}, Recipient: id.Recipient().String()}
	pkg, err := env.Intake.Packages.BuildPackage(intaketest.Officer(police), c.ID, spec)
	if err != nil {
		t.Fatal(err)
	}
	r, err := age.Decrypt(armor.NewReader(bytes.NewReader(pkg)), id)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	var got intake.PackageContent
	if err := json.Unmarshal(plain, &got); err != nil {
		t.Fatal(err)
	}
	if got.Format != intake.PackageFormat || got.ReferralID != "r1" || len(got.Sections) != 2 ||
		!strings.Contains(string(got.Sections[intake.SectionIdentity]), "Packaged Person") || strings.Contains(string(plain), c.ID) {
		t.Fatalf("package content %s", plain)
	}
	other2, _ := age.GenerateX25519Identity()
	if _, err := age.Decrypt(armor.NewReader(bytes.NewReader(pkg)), other2); err == nil {
		t.Fatal("another key opened the package")
	}
	if _, err := env.Intake.Packages.BuildPackage(intaketest.Officer(other), c.ID, spec); !kitIs(err, kit.CodeNotFound) {
		t.Fatalf("another organisation: %v", err)
	}
	for _, bad := range []string{"", "age1notakey", strings.Repeat("a", 5000)} {
		if _, err := intake.CheckRecipient(bad); !kitIs(err, kit.CodeValidation) || !strings.Contains(err.Error(), "recipient") {
			t.Fatalf("recipient %.20q: %v", bad, err)
		}
	}
}
