package intake

import (
	"context"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/kit"
)

// KeyStatus answers the key ring of the caller's organisation to its
// administrator, and of every organisation to a system administrator.
func (s *service) KeyStatus(ctx context.Context) ([]KeyStatus, error) {
	p, err := auth.Required(ctx)
	if err != nil {
		return nil, err
	}
	org := p.OrgID
	switch {
	case p.HasRole(auth.RoleSystemAdmin):
		org = ""
	case !p.HasRole(auth.RoleOrgAdmin):
		return nil, kit.ErrForbidden
	}
	out, err := s.store.KeyStatus(ctx, org)
	if err != nil {
		return nil, err
	}
	if err := s.auditAlone(ctx, s.rec.New(ctx, "intake.keys.read", "org", org, event.Allowed)); err != nil {
		return nil, err
	}
	return out, nil
}
