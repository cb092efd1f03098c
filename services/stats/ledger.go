package stats

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"strconv"

	"github.com/nrm-project/nrm/pkg/kit"
)

// The privacy ledger. Differential privacy composes: k answers at epsilon
// each about the same records are one answer at k times epsilon, whoever
// asked them and in whichever release. A budget per release is therefore
// no budget (averaging a few hundred releases recovers a suppressed count
// exactly). The ledger keeps, per table family (the tables over the same
// records) and month, the epsilon spent by every answer, and refuses an
// answer that would take a month past the configured budget. A question
// over a quarter or a year spends from each of its months: its records
// are theirs, and ledgers per asked period would let the months, the
// quarter and the year each be spent in full on the same records.

// codePrivacyBudgetSpent is the stable code of a refusal by the ledger.
const codePrivacyBudgetSpent = "privacy_budget_spent"

// ErrPrivacyBudgetSpent matches every refusal by the ledger (errors.Is);
// the error returned names the family, the month and what remains.
var ErrPrivacyBudgetSpent = kit.NewError(http.StatusConflict, codePrivacyBudgetSpent,
	"the privacy budget of the table family for the period is spent")

// The ledger counts in whole millionths of epsilon (integers), so that no
// sum of answers can be absorbed by rounding: a float ledger with a
// tolerance let an answer of epsilon 1e-20 pass forever.

// LedgerEntry is what one month's ledger of one family holds.
type LedgerEntry struct {
	Family    string  `json:"family"`
	Month     string  `json:"month"`
	Budget    float64 `json:"budget"`
	Spent     float64 `json:"spent"`
	Remaining float64 `json:"remaining"`
}

// spend takes epsilon from the ledger of family for every month of period,
// all or none (the caller's transaction rolls back on error).
func (s *Stats) spend(ctx context.Context, tx *sql.Tx, family, period string, epsilon float64) error {
	budget, cost := toMicro(s.policy.DP.EpsilonPerMonth), toMicro(epsilon)
	if cost <= 0 {
		return errNoNoise
	}
	for _, m := range monthsOf(period) {
		if ok, err := spendLedger(ctx, tx, family, m, cost, budget); err != nil {
			return err
		} else if !ok {
			e, err := s.ledgerEntry(ctx, tx, family, m)
			if err != nil {
				return err
			}
			return budgetSpent(e, epsilon)
		}
	}
	return nil
}

func budgetSpent(e LedgerEntry, want float64) error {
	return kit.NewError(http.StatusConflict, codePrivacyBudgetSpent, fmt.Sprintf(
		"the privacy budget of the %s tables for %s is spent: epsilon %s of %s remains, the answer needs %s",
		e.Family, e.Month, fmtEpsilon(e.Remaining), fmtEpsilon(e.Budget), fmtEpsilon(want)))
}

func fmtEpsilon(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func (s *Stats) ledgerEntry(ctx context.Context, q queryer, family, month string) (LedgerEntry, error) {
	e := LedgerEntry{Family: family, Month: month, Budget: s.policy.DP.EpsilonPerMonth}
	spent, err := ledgerSpent(ctx, q, family, month)
	if err != nil {
		return e, err
	}
	e.Spent = fromMicro(spent)
	e.Remaining = fromMicro(max(0, toMicro(e.Budget)-spent))
	return e, nil
}

// ledger returns the ledger of every family for the months of period.
func (s *Stats) ledger(ctx context.Context, q queryer, period string) ([]LedgerEntry, error) {
	var out []LedgerEntry
	for _, f := range []string{FamilyCases, FamilyDecisions, FamilyReferrals} {
		for _, m := range monthsOf(period) {
			e, err := s.ledgerEntry(ctx, q, f, m)
			if err != nil {
				return nil, err
			}
			out = append(out, e)
		}
	}
	return out, nil
}
