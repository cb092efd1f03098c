package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/nrm-project/nrm/services/intake/casefile"
)

const consentColumns = `id, purpose, granted, share_with, explained_in, interpreter, recorded_by, recorded_org, recorded_at, expires_at`

// InsertConsent writes one consent record of the case.
func (s *Store) InsertConsent(ctx context.Context, q Querier, caseID string, c casefile.Consent) error {
	return s.InsertConsents(ctx, q, caseID, []casefile.Consent{c})
}

// InsertConsents writes consent records of a case in one statement.
func (s *Store) InsertConsents(ctx context.Context, q Querier, caseID string, cs []casefile.Consent) error {
	return s.InsertConsentSets(ctx, q, CaseConsents{caseID, cs})
}

// CaseConsents is a case's new consent records.
type CaseConsents struct {
	CaseID  string
	Records []casefile.Consent
}

// InsertConsentSets writes the consent records of several cases in one
// statement.
func (s *Store) InsertConsentSets(ctx context.Context, q Querier, sets ...CaseConsents) error {
	var args []any
	for _, set := range sets {
		for _, c := range set.Records {
			args = append(args, set.CaseID, c.ID, c.Purpose, c.Granted, JoinCodes(c.ShareWith), c.ExplainedIn, c.Interpreter,
				c.RecordedBy, c.RecordedOrg, c.RecordedAt, nullTime(c.ExpiresAt))
		}
	}
	if len(args) == 0 {
		return nil
	}
	_, err := q.ExecContext(ctx, `INSERT INTO consents (case_id, `+consentColumns+`) VALUES `+ValueLists(len(args)/11, 11), args...)
	if err != nil {
		return fmt.Errorf("intake: insert consent: %w", err)
	}
	return nil
}

// consentOrder is the order of a case's consent records: oldest first.
const consentOrder = `recorded_at, CASE purpose WHEN 'assistance' THEN 1 WHEN 'nrm_submission' THEN 2 ELSE 3 END, id`

// Consents returns every consent record of the case, oldest first.
func (s *Store) Consents(ctx context.Context, q Querier, caseID string) ([]casefile.Consent, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+consentColumns+` FROM consents WHERE case_id = $1 ORDER BY `+consentOrder, caseID)
	if err != nil {
		return nil, fmt.Errorf("intake: consents: %w", err)
	}
	defer rows.Close()
	out, err := scanAll(rows, scanConsent)
	if err != nil {
		return nil, fmt.Errorf("intake: consents: %w", err)
	}
	return out, nil
}

// scanConsent reads a row of consentColumns.
func scanConsent(sc Scanner) (casefile.Consent, error) {
	var (
		c       casefile.Consent
		share   string
		expires sql.NullTime
	)
	if err := sc.Scan(&c.ID, &c.Purpose, &c.Granted, &share, &c.ExplainedIn, &c.Interpreter,
		&c.RecordedBy, &c.RecordedOrg, &c.RecordedAt, &expires); err != nil {
		return casefile.Consent{}, err
	}
	c.ShareWith, c.RecordedAt = splitCodes(share), c.RecordedAt.UTC()
	if expires.Valid {
		t := expires.Time.UTC()
		c.ExpiresAt = &t
	}
	return c, nil
}
