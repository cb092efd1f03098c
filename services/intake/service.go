package intake

import (
	"context"

	"github.com/nrm-project/nrm/services/intake/cases"
)

// Service registers presumed victims and guards what is known about them.
// Every method takes the caller from the context (auth.Principal); which
// instances the caller may touch is decided here, what a role may do at all
// by the shared enforcer in front of the endpoints.
type Service interface {
	// Cases: registration and drafts, reads and lists, consent,
	// submission, transfer, the link of a notification and possible
	// duplicates (package cases).
	cases.Service

	// Grants: who else reads a case's sections (package cases/grants).
	Grants

	// Workflows: the decision and support tracks, the case record, the
	// children's rules and the route change (package workflow).
	Workflows

	// KeyStatus is the organisations' key rings as their administrators
	// follow rotations (an org admin its own, a system admin every one).
	KeyStatus(ctx context.Context) ([]KeyStatus, error)

	// Oversight: break-the-glass, disclosures, legal holds, the access
	// report and the certificate (oversight.go).
	Oversight
}
