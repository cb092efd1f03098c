package cases

import (
	"github.com/nrm-project/nrm/pkg/auth"
)

// hasCaseload: service providers' caseworkers see the cases their
// organisation supports.
func hasCaseload(p auth.Principal) bool { return p.HasRole(auth.RoleNGOCaseworker) }
