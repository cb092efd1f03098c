package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/stats/disclosure"
)

// Code is the stable code of a refusal by the ledger.
const Code = "privacy_budget_spent"

// ErrBudgetSpent matches every refusal by the ledger (errors.Is); the
// error returned names the family, the month and what remains.
var ErrBudgetSpent = kit.NewError(http.StatusConflict, Code,
	"the privacy budget of the table family for the period is spent")

// ErrNothingToSpend refuses an epsilon that rounds to no millionth.
var ErrNothingToSpend = errors.New("stats: privacy ledger: nothing to spend")

// Entry is what one month's ledger of one family holds.
type Entry struct {
	Family    string  `json:"family"`
	Month     string  `json:"month"`
	Budget    float64 `json:"budget"`
	Spent     float64 `json:"spent"`
	Remaining float64 `json:"remaining"`
}

// Ledger is the privacy ledger at a monthly budget per family.
type Ledger struct {
	budget float64 // epsilon per family and month
}

// New returns the ledger at a budget of epsilonPerMonth per family and month.
func New(epsilonPerMonth float64) *Ledger { return &Ledger{budget: epsilonPerMonth} }

// Spend takes epsilon from the ledger of family for every month given,
// all or none (the caller's transaction rolls back on error).
func (l *Ledger) Spend(ctx context.Context, tx *sql.Tx, family string, months []string, epsilon float64) error {
	budget, cost := disclosure.ToMicro(l.budget), disclosure.ToMicro(epsilon)
	if cost <= 0 {
		return ErrNothingToSpend
	}
	for _, m := range months {
		if ok, err := spend(ctx, tx, family, m, cost, budget); err != nil {
			return err
		} else if !ok {
			e, err := l.Entry(ctx, tx, family, m)
			if err != nil {
				return err
			}
			return budgetSpent(e, epsilon)
		}
	}
	return nil
}

func budgetSpent(e Entry, want float64) error {
	return kit.NewError(http.StatusConflict, Code, fmt.Sprintf(
		"the privacy budget of the %s tables for %s is spent: epsilon %s of %s remains, the answer needs %s",
		e.Family, e.Month, fmtEpsilon(e.Remaining), fmtEpsilon(e.Budget), fmtEpsilon(want)))
}

func fmtEpsilon(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// Entry returns the ledger of family for month.
func (l *Ledger) Entry(ctx context.Context, q Queryer, family, month string) (Entry, error) {
	e := Entry{Family: family, Month: month, Budget: l.budget}
	spent, err := spent(ctx, q, family, month)
	if err != nil {
		return e, err
	}
	e.Spent = disclosure.FromMicro(spent)
	e.Remaining = disclosure.FromMicro(max(0, disclosure.ToMicro(e.Budget)-spent))
	return e, nil
}

// Entries returns the ledger of every family for every month given.
func (l *Ledger) Entries(ctx context.Context, q Queryer, families, months []string) ([]Entry, error) {
	var out []Entry
	for _, f := range families {
		for _, m := range months {
			e, err := l.Entry(ctx, q, f, m)
			if err != nil {
				return nil, err
			}
			out = append(out, e)
		}
	}
	return out, nil
}
