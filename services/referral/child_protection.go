package referral

import (
	"context"
	"errors"
	"net/http"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/kit"
)

// ServiceChildProtection is the service whose offer makes an organisation
// a child-protection one: it receives children's identity, narrative and
// health without consent and may host guardians.
const ServiceChildProtection = "child_protection"

// CodeChildProtection is the code of ErrChildProtection.
const CodeChildProtection = "child_protection_by_system_admin"

// ErrChildProtection refuses an organisation administrator who adds the
// child_protection service to an entry, or raises its places.
var ErrChildProtection = kit.NewError(http.StatusForbidden, CodeChildProtection,
	"services: only a system administrator adds child_protection to a directory entry or raises its places; "+
		"an organisation administrator may keep, lower or drop it")

func childPlaces(svcs []ServicePlaces) (int, bool) {
	for _, sv := range svcs {
		if sv.Service == ServiceChildProtection {
			return sv.Places, true
		}
	}
	return 0, false
}

// childProtectionChange checks an entry's change of the child_protection
// service by p, and says whether the service is being added. A system
// administrator may do anything; anyone else keeps, lowers or drops it.
func (s *service) childProtectionChange(ctx context.Context, p auth.Principal, orgID string, in ProviderInput) (bool, error) {
	places, wants := childPlaces(in.Services)
	if !wants {
		return false, nil
	}
	had, offered := 0, false
	before, err := s.store.Provider(ctx, s.db, orgID)
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return false, err
	default:
		if sv := before.Service(ServiceChildProtection); sv != nil {
			had, offered = sv.Places, true
		}
	}
	if p.HasRole(auth.RoleSystemAdmin) {
		return !offered, nil
	}
	if !offered || places > had {
		return false, ErrChildProtection
	}
	return false, nil
}
