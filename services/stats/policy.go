package stats

import "github.com/nrm-project/nrm/services/stats/disclosure"

// The disclosure-control policy lives in package disclosure; these names
// keep the service's configuration API.

// PolicyFile is the name of the disclosure-control file; one in the
// --policies directory replaces the embedded default.
const PolicyFile = disclosure.File

type (
	// Disclosure is the disclosure-control policy.
	Disclosure = disclosure.Policy
	// Noise is one entry of a perturbation-table row.
	Noise = disclosure.Noise
	// PTableRow gives the noise distribution of cells of one true count.
	PTableRow = disclosure.PTableRow
	// DPPolicy configures the differential-privacy mode.
	DPPolicy = disclosure.DP
	// Published is a disclosure-controlled count.
	Published = disclosure.Published
)

// LoadDisclosure reads PolicyFile from dir when it holds one, else the
// embedded default, and validates it.
func LoadDisclosure(dir string) (Disclosure, error) { return disclosure.Load(dir) }

// toMicro converts an epsilon to whole millionths, the privacy ledger's
// unit; fromMicro converts back.
func toMicro(epsilon float64) int64 { return disclosure.ToMicro(epsilon) }
func fromMicro(m int64) float64     { return disclosure.FromMicro(m) }
