package referral

import "github.com/nrm-project/nrm/services/referral/external"

// The contract of external referrals is the sub-package external's; these
// names keep the service's API.
type (
	Disclosures       = external.Disclosures
	DisclosureInput   = external.Input
	PackageSpec       = external.Spec
	DisclosurePolicy  = external.Policy
	DisclosurePackage = external.Package
)

// External referral defaults, basis and errors (external).
const (
	DefaultPackageDownloads            = external.DefaultPackageDownloads
	DefaultPackageWindow               = external.DefaultPackageWindow
	LegalBasisInternationalCooperation = external.LegalBasisInternationalCooperation
	CodeNotOwner                       = external.CodeNotOwner
	CodeApprovalRequired               = external.CodeApprovalRequired
	CodeSecondPerson                   = external.CodeSecondPerson
	CodePackageGone                    = external.CodePackageGone
)

var (
	ErrNotOwner         = external.ErrNotOwner
	ErrApprovalRequired = external.ErrApprovalRequired
	ErrSecondPerson     = external.ErrSecondPerson
	ErrPackageGone      = external.ErrPackageGone
)
