package oversight

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"filippo.io/age"
	"filippo.io/age/armor"

	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/pkg/seal"
)

// PackageFormat names the plaintext layout inside an external referral's
// package.
const PackageFormat = "nrm-referral-package/1"

// maxRecipient bounds a recipient string (a hybrid key is about 2,000
// characters).
const maxRecipient = 4096

// PackageSpec is what the referral service knows of an external
// referral's package: everything but the sections' content, which only
// intake reads.
type PackageSpec struct {
	PackageID   string
	ReferralID  string
	ProducedAt  time.Time
	LegalBasis  string
	Destination string
	Service     string
	Urgency     string
	Summary     PackageSummary
	Sections    []string
	// Recipient is the external organisation's age public key.
	Recipient string
}

// PackageContent is the plaintext of a package: the de-identified summary
// and the content of the sections the service needs. No internal case id.
type PackageContent struct {
	Format      string                     `json:"format"`
	PackageID   string                     `json:"package_id"`
	ReferralID  string                     `json:"referral_id"`
	ProducedAt  time.Time                  `json:"produced_at"`
	LegalBasis  string                     `json:"legal_basis"`
	Destination string                     `json:"destination"`
	Service     string                     `json:"service"`
	Urgency     string                     `json:"urgency"`
	Summary     PackageSummary             `json:"summary"`
	Sections    map[string]json.RawMessage `json:"sections"`
}

// PackageSummary is the de-identified summary of the case.
type PackageSummary struct {
	Region         string   `json:"region"`
	Gender         string   `json:"gender"`
	AgeGroup       string   `json:"age_group"`
	TreatedAsChild bool     `json:"treated_as_child"`
	Languages      []string `json:"languages"`
	GroupSize      int      `json:"group_size"`
}

// CheckRecipient checks an external organisation's age public key and
// returns it canonical. Either kind is accepted: a package has this one
// recipient, so nothing is mixed.
func CheckRecipient(s string) (string, error) {
	bad := kit.Validation("recipient: the external organisation's age public key (age1… or age1pq1…)")
	if s == "" || len(s) > maxRecipient {
		return "", bad
	}
	r, err := seal.ParseRecipient(s)
	if err != nil {
		return "", bad
	}
	return r.String(), nil
}

// BuildPackage reads the named sections as the caller, through the
// audited, need-to-know export (never during the caller's emergency
// access), and returns the package armored and encrypted to
// spec.Recipient. The plaintext exists only in intake's memory.
func (o *Oversight) BuildPackage(ctx context.Context, caseID string, spec PackageSpec) ([]byte, error) {
	secs, err := o.cw.ExportSections(ctx, caseID, spec.Sections)
	if err != nil {
		return nil, err
	}
	defer func() {
		for _, b := range secs {
			clear(b)
		}
	}()
	out, err := EncryptPackage(spec, secs)
	if err != nil {
		return nil, fmt.Errorf("intake: package %s: %w", spec.PackageID, err)
	}
	return out, nil
}

// EncryptPackage builds the plaintext from spec and the sections' content
// (the named ones only, whatever else secs holds) and encrypts it,
// armored, to spec.Recipient.
func EncryptPackage(spec PackageSpec, secs map[string]json.RawMessage) ([]byte, error) {
	plain, err := packageContent(spec, secs)
	if err != nil {
		return nil, err
	}
	defer clear(plain)
	return encryptArmored(spec.Recipient, plain)
}

func packageContent(spec PackageSpec, secs map[string]json.RawMessage) ([]byte, error) {
	c := PackageContent{
		Format: PackageFormat, PackageID: spec.PackageID, ReferralID: spec.ReferralID, ProducedAt: spec.ProducedAt,
		LegalBasis: spec.LegalBasis, Destination: spec.Destination, Service: spec.Service, Urgency: spec.Urgency,
		Summary: spec.Summary, Sections: map[string]json.RawMessage{},
	}
	c.Summary.Languages = slices.Clone(spec.Summary.Languages)
	for _, name := range spec.Sections {
		b, ok := secs[name]
		if !ok {
			continue
		}
		if !json.Valid(b) {
			// Not JSON: carried as a string rather than refused.
			q, err := json.Marshal(string(b))
			if err != nil {
				return nil, err
			}
			b = q
		}
		c.Sections[name] = b
	}
	return json.Marshal(c)
}

// encryptArmored encrypts plaintext to recipient as an ASCII-armored age
// file.
func encryptArmored(recipient string, plaintext []byte) ([]byte, error) {
	r, err := seal.ParseRecipient(recipient)
	if err != nil {
		return nil, err
	}
	var ar age.Recipient
	if r.Kind() == seal.KindHybrid {
		ar, err = age.ParseHybridRecipient(r.String())
	} else {
		ar, err = age.ParseX25519Recipient(r.String())
	}
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	aw := armor.NewWriter(&buf)
	w, err := age.Encrypt(aw, ar)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(plaintext); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	if err := aw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
