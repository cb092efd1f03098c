package intake

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"slices"

	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake/store"
)

// ChildProtection answers who may protect a child: identity (users, roles,
// organisation kinds) and the referral directory (services offered),
// adapted by the binary. A child-protection organisation is one offering
// the child_protection service, or of kind social_services.
type ChildProtection interface {
	// ProtectsChildren reports whether the organisation is a
	// child-protection organisation.
	ProtectsChildren(ctx context.Context, orgID string) (bool, error)
	// IsGuardian reports whether userID is an active user of orgID holding
	// the guardian role.
	IsGuardian(ctx context.Context, userID, orgID string) (bool, error)
}

// OrgKindSocialServices is the organisation kind that protects children
// by mandate.
const OrgKindSocialServices = "social_services"

// ErrNotAGuardian refuses an appointment of someone who cannot be a
// child's guardian.
var ErrNotAGuardian = kit.NewError(http.StatusUnprocessableEntity, "not_a_guardian",
	"user_id: must be a user holding the guardian role in a child-protection organisation")

// protectsChildren asks the configured ChildProtection; without one, only
// social services protect children.
func (s *service) protectsChildren(ctx context.Context, org OrgInfo) (bool, error) {
	if org.Kind == OrgKindSocialServices {
		return true, nil
	}
	if s.children == nil {
		return false, nil
	}
	ok, err := s.children.ProtectsChildren(ctx, org.ID)
	if err != nil {
		return false, fmt.Errorf("intake: child protection: %w: %w", ErrUnavailable, err)
	}
	return ok, nil
}

// checkGuardian: a guardian is a real user with the guardian role in a
// child-protection organisation. Without a ChildProtection configured no
// one can be checked, so no one is appointed.
func (s *service) checkGuardian(ctx context.Context, in GuardianInput, org OrgInfo) error {
	cp, err := s.protectsChildren(ctx, org)
	if err != nil {
		return err
	}
	if !cp || s.children == nil {
		return ErrNotAGuardian
	}
	ok, err := s.children.IsGuardian(ctx, in.UserID, org.ID)
	if err != nil {
		return fmt.Errorf("intake: guardian check: %w: %w", ErrUnavailable, err)
	}
	if !ok {
		return ErrNotAGuardian
	}
	return nil
}

// Sections a child may be shared without a recorded consent, by the
// relation of the recipient (mayShare): what the purpose needs.
var (
	// childProtectionSections: the mandatory child-protection referral.
	childProtectionSections = []string{SectionIdentity, SectionNarrative, SectionHealth}
	// guardianSections: the appointed guardian (AppointGuardian grants these).
	guardianSections = []string{SectionIdentity, SectionLegal}
)

// within reports whether every name is in allowed.
func within(names, allowed []string) bool {
	for _, n := range names {
		if !slices.Contains(allowed, n) {
			return false
		}
	}
	return true
}

// endPreviousOwner ends what the previous owner read through its own
// grants once a transfer made c another organisation's: its grants are
// revoked but the authored one (authored.go), its wrap keeps the sections
// it authored, and it keeps the keys of the entries it authored only.
func (s *service) endPreviousOwner(ctx context.Context, tx *sql.Tx, c store.CaseRow, prev string) error {
	return s.endGrantsOf(ctx, tx, c, prev, prev, func(g store.GrantRow) bool { return g.Purpose != purposeAuthored })
}

// endGrantsOf revokes org's grants that match (revocation.go: its wrap
// rebuilt from source's keys, what it lost re-keyed, entry keys dropped).
func (s *service) endGrantsOf(ctx context.Context, tx *sql.Tx, c store.CaseRow, org, source string, match func(store.GrantRow) bool) error {
	return s.revokeReader(ctx, tx, c, org, source, match)
}
