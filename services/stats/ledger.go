package stats

import (
	"context"
	"database/sql"
	"errors"
	"strconv"

	"github.com/nrm-project/nrm/services/stats/ledger"
)

// The privacy ledger lives in package ledger (its doc says why it is per
// family and month); these names keep the service's API.

// LedgerEntry is what one month's ledger of one family holds.
type LedgerEntry = ledger.Entry

// ErrPrivacyBudgetSpent matches every refusal by the ledger (errors.Is);
// the error returned names the family, the month and what remains.
var ErrPrivacyBudgetSpent = ledger.ErrBudgetSpent

// spend takes epsilon from the ledger of family for every month of period,
// all or none (the caller's transaction rolls back on error).
func (s *Stats) spend(ctx context.Context, tx *sql.Tx, family, period string, epsilon float64) error {
	err := s.privacy.Spend(ctx, tx, family, monthsOf(period), epsilon)
	if errors.Is(err, ledger.ErrNothingToSpend) {
		return errNoNoise
	}
	return err
}

func fmtEpsilon(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func (s *Stats) ledgerEntry(ctx context.Context, q queryer, family, month string) (LedgerEntry, error) {
	return s.privacy.Entry(ctx, q, family, month)
}

// ledger returns the ledger of every family for the months of period.
func (s *Stats) ledger(ctx context.Context, q queryer, period string) ([]LedgerEntry, error) {
	return s.privacy.Entries(ctx, q, []string{FamilyCases, FamilyDecisions, FamilyReferrals}, monthsOf(period))
}
