package intake_test

import "github.com/nrm-project/nrm/services/intake"

// childProtection records that org offers the child_protection service.
func (w *realWorld) childProtection(org intake.OrgInfo) intake.OrgInfo {
	w.env.Orgs.OfferChildProtection(org)
	return org
}

// guardianIn adds a user holding the guardian role to org.
func (w *realWorld) guardianIn(org intake.OrgInfo) string { return w.env.Orgs.AddGuardian(org) }
