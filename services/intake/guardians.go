package intake

import (
	"context"
	"database/sql"

	"github.com/nrm-project/nrm/services/intake/store"
	"github.com/nrm-project/nrm/services/intake/workflow"
)

// Who protects children and who may be a child's guardian are the
// workflow's (workflow/guardians.go); grants ask it too.
type ChildProtection = workflow.ChildProtection

const OrgKindSocialServices = workflow.OrgKindSocialServices

var ErrNotAGuardian = workflow.ErrNotAGuardian

// protectsChildren reports whether org protects children
// (workflow.Tracks.ProtectsChildren).
func (s *service) protectsChildren(ctx context.Context, org OrgInfo) (bool, error) {
	return s.Tracks.ProtectsChildren(ctx, org.ID, org.Kind)
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
