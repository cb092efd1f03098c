package external

import (
	"context"
	"net/http"
	"time"

	"github.com/nrm-project/nrm/pkg/kit"
)

// Disclosures records a disclosure in the case and builds its package
// (intake, adapted in cmd/nrm): referral never reads a section or holds a
// key. It answers as the caller: kit.ErrNotFound for a case the caller may
// not see, kit.ErrForbidden when the caller may not disclose it, and
// ErrConsentRequired when the basis is consent and the person's
// data-sharing consent does not cover the recipient kind.
type Disclosures interface {
	// Disclose records the disclosure and returns its id.
	Disclose(ctx context.Context, caseID string, in Input) (string, error)
	// DisclosureStands checks a recorded disclosure again, as the caller,
	// before each download of its package: the same answers as Disclose.
	DisclosureStands(ctx context.Context, caseID, disclosureID string) error
	// CheckRecipient checks an external organisation's age public key and
	// returns it canonical; a bad one is a validation error.
	CheckRecipient(recipient string) (string, error)
	// BuildPackage returns the package of spec armored and encrypted to
	// spec.Recipient, from the sections as the caller may read them now.
	BuildPackage(ctx context.Context, caseID string, spec Spec) ([]byte, error)
}

// Input is a disclosure as recorded in the case: codes only.
type Input struct {
	RecipientKind string
	LegalBasis    string
	Sections      []string
}

// Spec is everything of an external referral's package but the
// sections' content, which only intake reads.
type Spec struct {
	PackageID, ReferralID                     string
	ProducedAt                                time.Time
	LegalBasis, Destination, Service, Urgency string
	Region, Gender, AgeGroup                  string
	TreatedAsChild                            bool
	Languages                                 []string
	GroupSize                                 int
	Sections                                  []string
	Recipient                                 string
}

// Policy is the workflow policy's disclosure lists and the
// limits of a package's downloads.
type Policy struct {
	RecipientKinds []string
	LegalBases     []string
	// PackageDownloads is how many times a package may be downloaded
	// (default DefaultPackageDownloads); PackageWindow for how long after
	// the disclosure was recorded (default DefaultPackageWindow).
	PackageDownloads int
	PackageWindow    time.Duration
}

// Defaults of the package download limits.
const (
	DefaultPackageDownloads = 3
	DefaultPackageWindow    = 7 * 24 * time.Hour
)

// Package is an external referral's package as handed out on a
// download: armored age, encrypted to the recipient named at creation,
// built once when the disclosure was recorded.
type Package struct {
	PackageID  string
	ReferralID string
	SHA256     string // hex SHA-256 of Armored, as recorded
	Armored    []byte
}

// Filename is the name the package is offered under.
func (p Package) Filename() string { return "nrm-referral-" + p.PackageID + ".age" }

// LegalBasisInternationalCooperation is the basis on which the competent
// authority, not only the owner, refers a case outside the system.
const LegalBasisInternationalCooperation = "international_cooperation"

// Codes of the external referral errors.
const (
	CodeNotOwner         = "not_case_owner"
	CodeApprovalRequired = "approval_required"
	CodeSecondPerson     = "second_person_required"
	CodePackageGone      = "package_unavailable"
)

var (
	// ErrNotOwner refuses an external referral by anyone but the case's
	// owner (or the competent authority for international cooperation).
	ErrNotOwner = kit.NewError(http.StatusForbidden, CodeNotOwner,
		"an external referral is the case owner's act, or the competent authority's for international_cooperation")
	// ErrApprovalRequired answers a package asked for before a
	// cross-border referral was approved.
	ErrApprovalRequired = kit.NewError(http.StatusConflict, CodeApprovalRequired,
		"a referral to another country needs a second person's approval first: POST /api/v1/referrals/{id}/approve")
	// ErrSecondPerson refuses an approval by the person who made the
	// referral, or by another organisation.
	ErrSecondPerson = kit.NewError(http.StatusForbidden, CodeSecondPerson,
		"another user of the sending organisation approves a referral to another country")
	// ErrPackageGone answers a download after the policy's count or
	// window, or of a referral recorded before packages were pinned.
	ErrPackageGone = kit.NewError(http.StatusGone, CodePackageGone,
		"the package may no longer be downloaded (download limit or window reached); make a new external referral")
)
