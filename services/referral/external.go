package referral

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
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
	Disclose(ctx context.Context, caseID string, in DisclosureInput) (string, error)
	// DisclosureStands checks a recorded disclosure again, as the caller,
	// before each download of its package: the same answers as Disclose.
	DisclosureStands(ctx context.Context, caseID, disclosureID string) error
	// CheckRecipient checks an external organisation's age public key and
	// returns it canonical; a bad one is a validation error.
	CheckRecipient(recipient string) (string, error)
	// BuildPackage returns the package of spec armored and encrypted to
	// spec.Recipient, from the sections as the caller may read them now.
	BuildPackage(ctx context.Context, caseID string, spec PackageSpec) ([]byte, error)
}

// DisclosureInput is a disclosure as recorded in the case: codes only.
type DisclosureInput struct {
	RecipientKind string
	LegalBasis    string
	Sections      []string
}

// PackageSpec is everything of an external referral's package but the
// sections' content, which only intake reads.
type PackageSpec struct {
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

// DisclosurePolicy is the workflow policy's disclosure lists and the
// limits of a package's downloads.
type DisclosurePolicy struct {
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

func (s *service) packageDownloads() int {
	if s.dpol.PackageDownloads > 0 {
		return s.dpol.PackageDownloads
	}
	return DefaultPackageDownloads
}

func (s *service) packageWindow() time.Duration {
	if s.dpol.PackageWindow > 0 {
		return s.dpol.PackageWindow
	}
	return DefaultPackageWindow
}

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

func (s *service) legalBases() []string {
	if len(s.dpol.LegalBases) > 0 {
		return s.dpol.LegalBases
	}
	return s.routing.LegalBases
}

// recipientKind is the given kind, or the destination when it is a kind,
// or foreign_authority for a country.
func (s *service) recipientKind(in NewReferral) (string, error) {
	kind := in.RecipientKind
	switch {
	case kind != "":
	case countryRe.MatchString(in.Destination):
		kind = "foreign_authority"
	default:
		kind = in.Destination
	}
	if len(s.dpol.RecipientKinds) > 0 && !slices.Contains(s.dpol.RecipientKinds, kind) {
		return "", kit.Validation("recipient_kind: must be one of " + joinCodes(s.dpol.RecipientKinds) +
			" (by default the destination, or foreign_authority for a country)")
	}
	if !codeRe.MatchString(kind) {
		return "", kit.Validation("recipient_kind: a recipient kind code")
	}
	return kind, nil
}

// foreignKinds are the recipient kinds that are outside the country
// whatever the destination says: another state's authority, an embassy,
// an international organisation.
var foreignKinds = []string{"foreign_authority", "embassy", "international_org"}

// domesticKinds are the recipient kinds known to be in the country when
// the workflow policy names no list.
var domesticKinds = []string{"police", "prosecution", "court", "other_authority", "ngo", "health", "social_services"}

// inCountry reports whether a kind code is known to be in the country: a
// recipient kind of the policy that is not a foreign kind.
func (s *service) inCountry(kind string) bool {
	if slices.Contains(foreignKinds, kind) {
		return false
	}
	if len(s.dpol.RecipientKinds) > 0 {
		return slices.Contains(s.dpol.RecipientKinds, kind)
	}
	return slices.Contains(domesticKinds, kind)
}

// crossBorder reports whether an external referral may leave the
// country, and so waits for a second person: a destination that is
// another country (or any country when the deployment's own is not
// configured), a foreign recipient kind, or a destination or recipient
// kind not known to be in the country. Both are the sender's own words,
// so either one is enough.
func (s *service) crossBorder(destination, recipientKind string) bool {
	if countryRe.MatchString(destination) {
		if s.routing.Country == "" || destination != s.routing.Country {
			return true
		}
	} else if !s.inCountry(destination) {
		return true
	}
	return !s.inCountry(recipientKind)
}

// mayDiscloseExternally: the case owner's officers and caseworkers; a
// decision maker of the competent authority for international
// cooperation. Intake checks the relation again when it records.
func (s *service) mayDiscloseExternally(ctx context.Context, p auth.Principal, sum CaseSummary, basis string) (bool, error) {
	if p.OrgID == "" {
		return false, nil
	}
	if p.OrgID == sum.OwnerOrg && (p.HasRole(auth.RoleFrontlineOfficer) || p.HasRole(auth.RoleNGOCaseworker)) {
		return true, nil
	}
	if basis != LegalBasisInternationalCooperation || !p.HasRole(auth.RoleDecisionMaker) {
		return false, nil
	}
	o, err := s.orgs.Org(ctx, p.OrgID)
	if err != nil {
		return false, fmt.Errorf("referral: organisation %s: %w: %w", p.OrgID, ErrUnavailable, err)
	}
	return o.Kind == "competent_authority", nil
}

// record has intake record the disclosure in the case, as the caller.
func (s *service) record(ctx context.Context, action string, d disclosureRow) (string, error) {
	got, err := s.discl.Disclose(ctx, d.CaseID, DisclosureInput{
		RecipientKind: d.RecipientKind, LegalBasis: d.LegalBasis, Sections: d.Sections,
	})
	switch {
	case err == nil:
		return got, nil
	case errors.Is(err, kit.ErrNotFound):
		return "", s.deny(ctx, action, "case", d.CaseID, ErrNotFound)
	case errors.Is(err, kit.ErrForbidden):
		return "", s.deny(ctx, action, "case", d.CaseID, ErrNotOwner)
	}
	if ke := kit.AsError(err); ke != kit.ErrInternal {
		return "", ke
	}
	return "", fmt.Errorf("referral: record disclosure: %w: %w", ErrUnavailable, err)
}

// createExternal records a referral outside the system or across a border
// as the owner's disclosure: codes, the legal basis and the recipient's
// public key. Within the country it is recorded in the case's disclosures
// at once (intake checks the relation and, for a consent basis, the
// consent); to another country it waits for a second person's approval.
// The package is built when the disclosure is recorded, from the sections
// as they are then, and kept only encrypted to the recipient.
func (s *service) createExternal(ctx context.Context, p auth.Principal, sum CaseSummary, row referralRow, in NewReferral) (Referral, error) {
	const action = "referral.referral.create"
	if s.discl == nil {
		return Referral{}, fmt.Errorf("referral: external referrals: no disclosure record: %w", ErrUnavailable)
	}
	ok, err := s.mayDiscloseExternally(ctx, p, sum, in.LegalBasis)
	if err != nil {
		return Referral{}, err
	}
	if !ok {
		return Referral{}, s.deny(ctx, action, "case", row.CaseID, ErrNotOwner)
	}
	row.Status, row.FanOut = StatusDisclosed, 0
	d := disclosureRow{
		ReferralID: row.ID, PackageID: event.NewID(), CaseID: row.CaseID, LegalBasis: row.LegalBasis,
		Destination: row.Destination, Recipient: in.Recipient, Fingerprint: fingerprint(in.Recipient), Sections: row.Sections,
		ActorUser: p.UserID, ActorOrg: p.OrgID, CreatedAt: row.CreatedAt, RecipientKind: in.RecipientKind,
	}
	if s.crossBorder(row.Destination, d.RecipientKind) {
		row.Status = StatusAwaitingApproval
	} else {
		// The package is built from the sections as they are now, the
		// moment the disclosure is recorded; later content never leaves.
		if err := s.build(ctx, action, row, &d, row.CreatedAt); err != nil {
			return Referral{}, err
		}
		if d.DisclosureID, err = s.record(ctx, action, d); err != nil {
			return Referral{}, err
		}
	}
	row.PackageID, row.RecipientFingerprint = d.PackageID, d.Fingerprint
	row.RecipientKind, row.DisclosureID = d.RecipientKind, d.DisclosureID
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.store.insertReferral(ctx, tx, row); err != nil {
			return err
		}
		if err := s.store.insertDisclosure(ctx, tx, d); err != nil {
			return err
		}
		if err := s.idem.Record(ctx, tx, http.StatusCreated, row.ID); err != nil {
			return err
		}
		evs := []event.Audit{s.rec.New(ctx, action, "referral", row.ID, event.Allowed)}
		if row.Status == StatusDisclosed {
			evs = append(evs, s.rec.New(ctx, "referral.disclosure.record", "case", row.CaseID, event.Allowed))
		} else if err := s.tell(ctx, tx, row.SenderOrg, row, "approval_requested", nil); err != nil {
			return err
		}
		return s.audit(ctx, tx, evs...)
	})
	if err != nil {
		return Referral{}, err
	}
	return s.view(p, row, nil, row.CreatedAt), nil
}

// Approve records a second person's approval of a cross-border referral:
// another user of the sending organisation who may disclose the case
// too. The disclosure is then recorded in the case, as the approver, and
// the package can be produced.
func (s *service) Approve(ctx context.Context, id string) (Referral, error) {
	const action = "referral.disclosure.approve"
	p, err := principal(ctx)
	if err != nil {
		return Referral{}, err
	}
	if !validID(id) {
		return Referral{}, ErrNotFound
	}
	if s.discl == nil {
		return Referral{}, fmt.Errorf("referral: external referrals: no disclosure record: %w", ErrUnavailable)
	}
	row, err := s.store.referral(ctx, s.db, id)
	if errors.Is(err, ErrNotFound) || err == nil && (row.Kind != KindExternal || p.OrgID == "" || p.OrgID != row.SenderOrg) {
		return Referral{}, s.deny(ctx, action, "referral", id, ErrNotFound)
	}
	if err != nil {
		return Referral{}, err
	}
	if row.Status != StatusAwaitingApproval {
		return Referral{}, transitionError(row.Status)
	}
	if p.UserID == "" || p.UserID == row.SenderUser {
		return Referral{}, s.deny(ctx, action, "referral", id, ErrSecondPerson)
	}
	sum, err := s.summary(ctx, row.CaseID, action)
	if err != nil {
		return Referral{}, err
	}
	if ok, err := s.mayDiscloseExternally(ctx, p, sum, row.LegalBasis); err != nil || !ok {
		return Referral{}, guardDeny(s, ctx, err, action, id)
	}
	d, err := s.store.disclosure(ctx, s.db, id)
	if err != nil {
		return Referral{}, err
	}
	now := s.now()
	if err := s.build(ctx, action, row, &d, now); err != nil {
		return Referral{}, err
	}
	if d.DisclosureID, err = s.record(ctx, action, d); err != nil {
		return Referral{}, err
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		ok, err := s.store.moveReferral(ctx, tx, id, StatusAwaitingApproval, StatusDisclosed, "", 0, now)
		if err != nil || !ok {
			return guard(err, transitionError(StatusDisclosed))
		}
		if _, err := tx.ExecContext(ctx, `UPDATE referral_disclosures SET disclosure_id = $2, approved_by = $3, approved_at = $4,
			package = $5, package_sha256 = $6, package_built_at = $4 WHERE referral_id = $1`,
			id, d.DisclosureID, p.UserID, now, d.Package, d.PackageSHA256); err != nil {
			return fmt.Errorf("referral: approve %s: %w", id, err)
		}
		row.Status, row.UpdatedAt = StatusDisclosed, now
		return s.audit(ctx, tx,
			s.rec.New(ctx, action, "referral", id, event.Allowed),
			s.rec.New(ctx, "referral.disclosure.record", "case", row.CaseID, event.Allowed))
	})
	if err != nil {
		return Referral{}, err
	}
	row.PackageID, row.RecipientFingerprint, row.RecipientKind = d.PackageID, d.Fingerprint, d.RecipientKind
	row.DisclosureID, row.ApprovedBy = d.DisclosureID, p.UserID
	return s.view(p, row, nil, now), nil
}

// guardDeny returns a failure as itself, and otherwise an audited 403.
func guardDeny(s *service, ctx context.Context, err error, action, id string) error {
	if err != nil {
		return err
	}
	return s.deny(ctx, action, "referral", id, ErrNotOwner)
}

// packageReady refuses a package before a cross-border referral is
// approved.
func packageReady(row referralRow) error {
	switch row.Status {
	case StatusDisclosed:
		return nil
	case StatusAwaitingApproval:
		return ErrApprovalRequired
	}
	return transitionError(row.Status)
}
