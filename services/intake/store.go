package intake

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nrm-project/nrm/pkg/db"
)

// store holds the intake SQL; every statement runs on both engines.
type store struct {
	db *db.DB
	// snapshot is caseSnapshot's statement on PostgreSQL.
	snapshot preparedStmt
}

// querier is satisfied by *sql.DB and *sql.Tx.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

type scanner interface{ Scan(...any) error }

// forUpdate locks the selected rows on PostgreSQL; SQLite transactions
// here take the database write lock at BEGIN, which serialises writers.
func (s *store) forUpdate() string {
	if s.db.Engine == db.Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// forShare keeps a row from changing until the transaction ends.
func (s *store) forShare() string {
	if s.db.Engine == db.Postgres {
		return " FOR SHARE"
	}
	return ""
}

// readTx runs fn in a read-only transaction over one consistent snapshot,
// so a wrap and its MACs are read as one (a rotation may rewrite both).
func (s *store) readTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	opts := &sql.TxOptions{ReadOnly: true}
	if s.db.Engine == db.Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := s.db.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("intake: begin read: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

func joinCodes(v []string) string { return strings.Join(v, ",") }

func splitCodes(v string) []string {
	if v == "" {
		return []string{}
	}
	return strings.Split(v, ",")
}

func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return *t
}

func nullString(v string) any {
	if v == "" {
		return nil
	}
	return v
}

// caseRow is a cases row: the attributes a caller sees plus bookkeeping.
type caseRow struct {
	Case
	RegisteringOrg     string
	RegisteringOrgKind string
	NotificationID     string
	LinkedCaseID       string
	scan               *caseScan
}

const caseColumns = `id, reference, route, status, owner_org, registered_by, registering_org, registering_org_kind,
	identified_on, region, gender, age_group, treated_as_child, birth_year, age_disputed, nationalities,
	exploitation_types, exploitation_location, indicators, needs, languages, dependants, risk_level,
	notification_id, linked_case_id, created_at, updated_at, unaccompanied, protection_status`

func (c *caseRow) args() []any {
	return []any{c.ID, c.Reference, c.Route, c.Status, c.OwnerOrg, c.RegisteredBy, c.RegisteringOrg, c.RegisteringOrgKind,
		c.IdentifiedOn, c.Region, c.Gender, c.AgeGroup, c.TreatedAsChild, c.BirthYear, c.AgeDisputed, joinCodes(c.Nationalities),
		joinCodes(c.ExploitationTypes), c.ExploitationLocation, joinCodes(c.Indicators), joinCodes(c.Needs), joinCodes(c.Languages),
		c.Dependants, c.RiskLevel, nullString(c.NotificationID), nullString(c.LinkedCaseID), c.CreatedAt, c.UpdatedAt,
		c.Unaccompanied, c.ProtectionStatus}
}

func scanCase(sc scanner) (caseRow, error) {
	var c caseRow
	if err := sc.Scan(caseScanTargets(&c)...); err != nil {
		return caseRow{}, err
	}
	c.finish()
	return c, nil
}

// caseScanTargets returns the scan destinations of caseColumns; finish
// completes the row after the scan.
func caseScanTargets(c *caseRow) []any {
	c.scan = &caseScan{}
	sc := c.scan
	return []any{&c.ID, &c.Reference, &c.Route, &c.Status, &c.OwnerOrg, &c.RegisteredBy, &c.RegisteringOrg, &c.RegisteringOrgKind,
		&c.IdentifiedOn, &c.Region, &c.Gender, &c.AgeGroup, &c.TreatedAsChild, &c.BirthYear, &c.AgeDisputed, &sc.nats,
		&sc.types, &c.ExploitationLocation, &sc.indicators, &sc.needs, &sc.languages, &c.Dependants, &c.RiskLevel,
		&sc.notification, &sc.linked, &c.CreatedAt, &c.UpdatedAt, &c.Unaccompanied, &c.ProtectionStatus}
}

// caseScan holds the columns of a case that need decoding after a scan.
type caseScan struct {
	nats, types, indicators, needs, languages string
	notification, linked                      sql.NullString
}

func (c *caseRow) finish() {
	sc := c.scan
	c.scan = nil
	c.Nationalities, c.ExploitationTypes, c.Indicators = splitCodes(sc.nats), splitCodes(sc.types), splitCodes(sc.indicators)
	c.Needs, c.Languages = splitCodes(sc.needs), splitCodes(sc.languages)
	c.NotificationID, c.LinkedCaseID = sc.notification.String, sc.linked.String
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
}

// qualified prefixes each column of a list with alias.
func qualified(alias, columns string) string {
	parts := strings.Split(columns, ",")
	for i, p := range parts {
		parts[i] = alias + "." + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

// insertCases writes new cases in one statement.
func (s *store) insertCases(ctx context.Context, q querier, cs ...*caseRow) error {
	if len(cs) == 0 {
		return nil
	}
	var args []any
	for _, c := range cs {
		args = append(args, c.args()...)
	}
	_, err := q.ExecContext(ctx, `INSERT INTO cases (`+caseColumns+`) VALUES `+valueLists(len(cs), len(args)/len(cs)), args...)
	if err != nil {
		return fmt.Errorf("intake: insert case: %w", err)
	}
	return nil
}

// updateCase rewrites every mutable column of the case (drafts, status,
// owner, links).
func (s *store) updateCase(ctx context.Context, q querier, c *caseRow) error {
	a := c.args()
	_, err := q.ExecContext(ctx, `UPDATE cases SET route = $2, status = $3, owner_org = $4, identified_on = $5, region = $6,
		gender = $7, age_group = $8, treated_as_child = $9, birth_year = $10, age_disputed = $11, nationalities = $12,
		exploitation_types = $13, exploitation_location = $14, indicators = $15, needs = $16, languages = $17,
		dependants = $18, risk_level = $19, notification_id = $20, linked_case_id = $21, updated_at = $22,
		unaccompanied = $23, protection_status = $24 WHERE id = $1`,
		a[0], a[2], a[3], a[4], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15], a[16], a[17], a[18], a[19], a[20],
		a[21], a[22], a[23], a[24], a[26], a[27], a[28])
	if err != nil {
		return fmt.Errorf("intake: update case: %w", err)
	}
	return nil
}

// caseByID returns the case; lock holds its row until tx ends.
func (s *store) caseByID(ctx context.Context, q querier, id string, lock bool) (caseRow, error) {
	if !validID(id) {
		return caseRow{}, ErrNotFound
	}
	query := `SELECT ` + caseColumns + ` FROM cases WHERE id = $1`
	if lock {
		query += s.forUpdate()
	}
	c, err := scanCase(q.QueryRowContext(ctx, query, id))
	if errors.Is(err, sql.ErrNoRows) {
		return caseRow{}, ErrNotFound
	}
	if err != nil {
		return caseRow{}, fmt.Errorf("intake: case: %w", err)
	}
	return c, nil
}

// listCases returns up to limit+1 cases of org, newest first, after the
// cursor (created_at, id).
func (s *store) listCases(ctx context.Context, org, status string, after *cursor, limit int) ([]caseRow, error) {
	query := `SELECT ` + caseColumns + ` FROM cases WHERE owner_org = $1`
	args := []any{org}
	if status != "" {
		args = append(args, status)
		query += fmt.Sprintf(` AND status = $%d`, len(args))
	}
	if after != nil {
		args = append(args, after.At, after.ID)
		query += fmt.Sprintf(` AND (created_at < $%d OR (created_at = $%d AND id < $%d))`, len(args)-1, len(args)-1, len(args))
	}
	args = append(args, limit+1)
	query += fmt.Sprintf(` ORDER BY created_at DESC, id DESC LIMIT $%d`, len(args))
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("intake: list cases: %w", err)
	}
	defer rows.Close()
	var out []caseRow
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, fmt.Errorf("intake: list cases: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

const consentColumns = `id, purpose, granted, share_with, explained_in, interpreter, recorded_by, recorded_org, recorded_at, expires_at`

func (s *store) insertConsent(ctx context.Context, q querier, caseID string, c Consent) error {
	return s.insertConsents(ctx, q, caseID, []Consent{c})
}

// insertConsents writes consent records of a case in one statement.
func (s *store) insertConsents(ctx context.Context, q querier, caseID string, cs []Consent) error {
	return s.insertConsentSets(ctx, q, caseConsents{caseID, cs})
}

// caseConsents is a case's new consent records.
type caseConsents struct {
	caseID  string
	records []Consent
}

// insertConsentSets writes the consent records of several cases in one
// statement.
func (s *store) insertConsentSets(ctx context.Context, q querier, sets ...caseConsents) error {
	var args []any
	for _, set := range sets {
		for _, c := range set.records {
			args = append(args, set.caseID, c.ID, c.Purpose, c.Granted, joinCodes(c.ShareWith), c.ExplainedIn, c.Interpreter,
				c.RecordedBy, c.RecordedOrg, c.RecordedAt, nullTime(c.ExpiresAt))
		}
	}
	if len(args) == 0 {
		return nil
	}
	_, err := q.ExecContext(ctx, `INSERT INTO consents (case_id, `+consentColumns+`) VALUES `+valueLists(len(args)/11, 11), args...)
	if err != nil {
		return fmt.Errorf("intake: insert consent: %w", err)
	}
	return nil
}

// consentOrder is the order of a case's consent records: oldest first.
const consentOrder = `recorded_at, CASE purpose WHEN 'assistance' THEN 1 WHEN 'nrm_submission' THEN 2 ELSE 3 END, id`

// consents returns every consent record of the case, oldest first.
func (s *store) consents(ctx context.Context, q querier, caseID string) ([]Consent, error) {
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
func scanConsent(sc scanner) (Consent, error) {
	var (
		c       Consent
		share   string
		expires sql.NullTime
	)
	if err := sc.Scan(&c.ID, &c.Purpose, &c.Granted, &share, &c.ExplainedIn, &c.Interpreter,
		&c.RecordedBy, &c.RecordedOrg, &c.RecordedAt, &expires); err != nil {
		return Consent{}, err
	}
	c.ShareWith, c.RecordedAt = splitCodes(share), c.RecordedAt.UTC()
	if expires.Valid {
		t := expires.Time.UTC()
		c.ExpiresAt = &t
	}
	return c, nil
}

const grantColumns = `id, case_id, org_id, sections, status, purpose, service, referral_id, granted_by, created_at, updated_at`

// grantRow is a grant with the service it was made for.
type grantRow struct {
	Grant
	Service string
}

func scanGrant(sc scanner) (grantRow, error) {
	var (
		g        grantRow
		sections string
	)
	if err := sc.Scan(&g.ID, &g.CaseID, &g.OrgID, &sections, &g.Status, &g.Purpose, &g.Service, &g.ReferralID,
		&g.GrantedBy, &g.CreatedAt, &g.UpdatedAt); err != nil {
		return grantRow{}, err
	}
	g.Sections, g.CreatedAt, g.UpdatedAt = splitCodes(sections), g.CreatedAt.UTC(), g.UpdatedAt.UTC()
	return g, nil
}

func (s *store) insertGrant(ctx context.Context, q querier, g grantRow) error {
	_, err := q.ExecContext(ctx, `INSERT INTO grants (`+grantColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		g.ID, g.CaseID, g.OrgID, joinCodes(g.Sections), g.Status, g.Purpose, g.Service, g.ReferralID, g.GrantedBy, g.CreatedAt, g.UpdatedAt)
	if err != nil {
		return fmt.Errorf("intake: insert grant: %w", err)
	}
	return nil
}

func (s *store) setGrantStatus(ctx context.Context, q querier, id, status string, now time.Time) error {
	if _, err := q.ExecContext(ctx, `UPDATE grants SET status = $2, updated_at = $3 WHERE id = $1`, id, status, now); err != nil {
		return fmt.Errorf("intake: update grant: %w", err)
	}
	return nil
}

// grantOrder is the order of a case's grants: oldest first.
const grantOrder = `created_at, id`

// grants returns the case's grants, oldest first.
func (s *store) grants(ctx context.Context, q querier, caseID string) ([]grantRow, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+grantColumns+` FROM grants WHERE case_id = $1 ORDER BY `+grantOrder, caseID)
	if err != nil {
		return nil, fmt.Errorf("intake: grants: %w", err)
	}
	defer rows.Close()
	out, err := scanAll(rows, scanGrant)
	if err != nil {
		return nil, fmt.Errorf("intake: grants: %w", err)
	}
	return out, nil
}
