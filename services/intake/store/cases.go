package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nrm-project/nrm/services/intake/casefile"
)

// Cursor is a position in a newest-first list.
type Cursor struct {
	At time.Time
	ID string
}

// String is the cursor as a page token.
func (c Cursor) String() string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.At.UnixMicro(), 10) + "|" + c.ID))
}

// CaseRow is a cases row: the attributes a caller sees plus bookkeeping.
type CaseRow struct {
	casefile.Case
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

func (c *CaseRow) args() []any {
	return []any{c.ID, c.Reference, c.Route, c.Status, c.OwnerOrg, c.RegisteredBy, c.RegisteringOrg, c.RegisteringOrgKind,
		c.IdentifiedOn, c.Region, c.Gender, c.AgeGroup, c.TreatedAsChild, c.BirthYear, c.AgeDisputed, JoinCodes(c.Nationalities),
		JoinCodes(c.ExploitationTypes), c.ExploitationLocation, JoinCodes(c.Indicators), JoinCodes(c.Needs), JoinCodes(c.Languages),
		c.Dependants, c.RiskLevel, nullString(c.NotificationID), nullString(c.LinkedCaseID), c.CreatedAt, c.UpdatedAt,
		c.Unaccompanied, c.ProtectionStatus}
}

func scanCase(sc Scanner) (CaseRow, error) {
	var c CaseRow
	if err := sc.Scan(caseScanTargets(&c)...); err != nil {
		return CaseRow{}, err
	}
	c.finish()
	return c, nil
}

// caseScanTargets returns the scan destinations of caseColumns; finish
// completes the row after the scan.
func caseScanTargets(c *CaseRow) []any {
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

func (c *CaseRow) finish() {
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

// InsertCases writes new cases in one statement.
func (s *Store) InsertCases(ctx context.Context, q Querier, cs ...*CaseRow) error {
	if len(cs) == 0 {
		return nil
	}
	var args []any
	for _, c := range cs {
		args = append(args, c.args()...)
	}
	_, err := q.ExecContext(ctx, `INSERT INTO cases (`+caseColumns+`) VALUES `+ValueLists(len(cs), len(args)/len(cs)), args...)
	if err != nil {
		return fmt.Errorf("intake: insert case: %w", err)
	}
	return nil
}

// UpdateCase rewrites every mutable column of the case (drafts, status,
// owner, links).
func (s *Store) UpdateCase(ctx context.Context, q Querier, c *CaseRow) error {
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

// CaseByID returns the case; lock holds its row until tx ends.
func (s *Store) CaseByID(ctx context.Context, q Querier, id string, lock bool) (CaseRow, error) {
	if !casefile.ValidID(id) {
		return CaseRow{}, casefile.ErrNotFound
	}
	query := `SELECT ` + caseColumns + ` FROM cases WHERE id = $1`
	if lock {
		query += s.ForUpdate()
	}
	c, err := scanCase(q.QueryRowContext(ctx, query, id))
	if errors.Is(err, sql.ErrNoRows) {
		return CaseRow{}, casefile.ErrNotFound
	}
	if err != nil {
		return CaseRow{}, fmt.Errorf("intake: case: %w", err)
	}
	return c, nil
}

// ListCases returns up to limit+1 cases of org, newest first, after the
// cursor (created_at, id).
func (s *Store) ListCases(ctx context.Context, org, status string, after *Cursor, limit int) ([]CaseRow, error) {
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
	var out []CaseRow
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, fmt.Errorf("intake: list cases: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
