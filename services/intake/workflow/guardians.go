package workflow

import (
	"context"
	"fmt"
	"net/http"

	"github.com/nrm-project/nrm/pkg/kit"
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

// ProtectsChildren asks the configured ChildProtection whether the
// organisation (of kind) protects children; without one, only social
// services do. Intake's grants ask it too: a child's sections go to a
// child-protection organisation without a recorded consent.
func (tr *Tracks) ProtectsChildren(ctx context.Context, orgID, kind string) (bool, error) {
	if kind == OrgKindSocialServices {
		return true, nil
	}
	if tr.children == nil {
		return false, nil
	}
	ok, err := tr.children.ProtectsChildren(ctx, orgID)
	if err != nil {
		return false, fmt.Errorf("intake: child protection: %w: %w", ErrUnavailable, err)
	}
	return ok, nil
}

// checkGuardian: a guardian is a real user with the guardian role in a
// child-protection organisation. Without a ChildProtection configured no
// one can be checked, so no one is appointed.
func (tr *Tracks) checkGuardian(ctx context.Context, userID, orgID, kind string) error {
	cp, err := tr.ProtectsChildren(ctx, orgID, kind)
	if err != nil {
		return err
	}
	if !cp || tr.children == nil {
		return ErrNotAGuardian
	}
	ok, err := tr.children.IsGuardian(ctx, userID, orgID)
	if err != nil {
		return fmt.Errorf("intake: guardian check: %w: %w", ErrUnavailable, err)
	}
	if !ok {
		return ErrNotAGuardian
	}
	return nil
}
