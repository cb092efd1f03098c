package stats

import (
	"testing"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/facts"
)

// The unmet-needs table counts needs in the month routing found no
// provider for them (docs/statistics.md): a referral a coordinator
// places later stays counted there, its acceptance counts in the month
// of the answer, and a referral that runs out of providers twice counts
// twice. How many are still without a provider is the coordinators'
// board, not this table.
func TestUnmetNeedsCountWhenNoProviderWasFound(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		f := newFixture(t, e, unprotected)
		const oct, nov = "2026-10", "2026-11"
		var es []facts.Event
		for _, k := range []string{"k1", "k2", "k3"} {
			es = append(es, registered(k, oct, "MA-01", "female", "adult", "abroad", "ngo", "sexual"))
		}
		es = append(es,
			// Found no provider in October, placed and accepted in November.
			referral(facts.ReferralNoProvider, "k1", "ref-1", oct, "shelter", 0),
			referral(facts.ReferralAccepted, "k1", "ref-1", nov, "shelter", 3600),
			// Found none, then placed and accepted, within November.
			referral(facts.ReferralNoProvider, "k2", "ref-2", nov, "shelter", 0),
			referral(facts.ReferralAccepted, "k2", "ref-2", nov, "shelter", 7200),
			// Ran out of providers, was placed, and ran out again.
			referral(facts.ReferralNoProvider, "k3", "ref-3", nov, "shelter", 0),
			referral(facts.ReferralNoProvider, "k3", "ref-3", nov, "shelter", 0),
		)
		f.send(t, es...)

		exact(t, f.table(t, TableUnmetNeeds, oct), 1, "unmet_needs", "shelter", "MA-01")
		exact(t, f.table(t, TableUnmetNeeds, nov), 3, "unmet_needs", "shelter", "MA-01")
		exact(t, f.table(t, TableReferralAcceptance, nov), 2, "referrals", "shelter", "MA-01", "accepted")
		ro := f.table(t, TableReferralOutcomes, nov)
		exact(t, ro, 3, "referrals", "shelter", "MA-01", "no_provider")
		exact(t, ro, 2, "referrals", "shelter", "MA-01", "accepted")
	})
}
