package referral

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/services/referral/directory"
	"github.com/nrm-project/nrm/services/referral/grants"
)

// queryer is a *sql.DB or a *sql.Tx.
type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// store holds the SQL of the service; both engines take the same
// statements. The directory's own statements are its store's.
type store struct {
	db queryer
	*directory.Store
}

// referralRow is a referral as stored.
type referralRow struct {
	ID, Kind, CaseID, CaseOwnerOrg, SenderOrg, SenderUser string
	Service, Urgency, Status, Region, Gender, AgeGroup    string
	TreatedAsChild                                        bool
	Languages, Sections                                   []string
	GroupSize, FanOut, PlacesReserved                     int
	AcceptedOrg, LegalBasis, Destination                  string
	CreatedAt, UpdatedAt                                  time.Time
	// External referrals, from referral_disclosures.
	PackageID, RecipientFingerprint         string
	RecipientKind, DisclosureID, ApprovedBy string
}

// candidateRow is one offer of a referral.
type candidateRow struct {
	ReferralID, OrgID, Status    string
	Name                         string  // the provider's name when it was ranked
	Score                        float64 // the score it was ranked with
	Rank                         int
	Reasons                      []string
	GrantID, GrantState          string
	GrantReason                  string // why it was revoked (pkg/grantchange)
	OfferedAt, Deadline, Replied *time.Time
	DeclineReason, DeclineNote   string
}

// Grant states of a candidate.
const (
	grantPending = grants.Pending
	grantActive  = grants.Active
	grantRevoked = grants.Revoked
)

const referralColumns = `id, kind, case_id, case_owner_org, sender_org, sender_user, service, urgency, status,
	region, gender, age_group, treated_as_child, languages, group_size, sections, fan_out, accepted_org,
	places_reserved, legal_basis, destination, created_at, updated_at`

func (st *store) insertReferral(ctx context.Context, tx *sql.Tx, r referralRow) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO referrals (`+referralColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)`,
		r.ID, r.Kind, r.CaseID, r.CaseOwnerOrg, r.SenderOrg, r.SenderUser, r.Service, r.Urgency, r.Status,
		r.Region, r.Gender, r.AgeGroup, r.TreatedAsChild, directory.EncodeList(r.Languages), r.GroupSize, directory.EncodeList(r.Sections),
		r.FanOut, r.AcceptedOrg, r.PlacesReserved, r.LegalBasis, r.Destination, r.CreatedAt, r.UpdatedAt)
	if err != nil {
		return fmt.Errorf("referral: insert %s: %w", r.ID, err)
	}
	return nil
}

func (st *store) insertCandidate(ctx context.Context, tx *sql.Tx, c candidateRow) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO referral_candidates
		(referral_id, org_id, rank, status, reasons, grant_id, grant_state, offered_at, deadline_at, name, score)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		c.ReferralID, c.OrgID, c.Rank, c.Status, directory.EncodeList(c.Reasons), c.GrantID, c.GrantState, c.OfferedAt, c.Deadline,
		c.Name, c.Score)
	if err != nil {
		return fmt.Errorf("referral: insert candidate: %w", err)
	}
	return nil
}

func scanReferral(sc interface{ Scan(...any) error }) (referralRow, error) {
	var (
		r           referralRow
		langs, secs string
	)
	err := sc.Scan(&r.ID, &r.Kind, &r.CaseID, &r.CaseOwnerOrg, &r.SenderOrg, &r.SenderUser, &r.Service, &r.Urgency,
		&r.Status, &r.Region, &r.Gender, &r.AgeGroup, &r.TreatedAsChild, &langs, &r.GroupSize, &secs, &r.FanOut,
		&r.AcceptedOrg, &r.PlacesReserved, &r.LegalBasis, &r.Destination, &r.CreatedAt, &r.UpdatedAt)
	if err != nil {
		return r, err
	}
	r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	if r.Languages, err = directory.DecodeList(langs); err != nil {
		return r, err
	}
	r.Sections, err = directory.DecodeList(secs)
	return r, err
}

func (st *store) referral(ctx context.Context, q queryer, id string) (referralRow, error) {
	r, err := scanReferral(q.QueryRowContext(ctx, `SELECT `+referralColumns+` FROM referrals WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("referral: read %s: %w", id, err)
	}
	return r, nil
}

func tptr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

func (st *store) candidates(ctx context.Context, q queryer, referralID string) ([]candidateRow, error) {
	rows, err := q.QueryContext(ctx, `SELECT referral_id, org_id, rank, status, reasons, grant_id, grant_state, grant_reason,
		offered_at, deadline_at, responded_at, decline_reason, decline_note, name, score
		FROM referral_candidates WHERE referral_id = $1 ORDER BY rank`, referralID)
	if err != nil {
		return nil, fmt.Errorf("referral: candidates %s: %w", referralID, err)
	}
	defer rows.Close()
	var out []candidateRow
	for rows.Next() {
		var (
			c          candidateRow
			reasons    string
			o, d, resp sql.NullTime
		)
		if err := rows.Scan(&c.ReferralID, &c.OrgID, &c.Rank, &c.Status, &reasons, &c.GrantID, &c.GrantState, &c.GrantReason,
			&o, &d, &resp, &c.DeclineReason, &c.DeclineNote, &c.Name, &c.Score); err != nil {
			return nil, fmt.Errorf("referral: candidates %s: %w", referralID, err)
		}
		if c.Reasons, err = directory.DecodeList(reasons); err != nil {
			return nil, err
		}
		c.OfferedAt, c.Deadline, c.Replied = tptr(o), tptr(d), tptr(resp)
		out = append(out, c)
	}
	return out, rows.Err()
}

// setOffer moves an offer from one status to another; false when it was
// not in from (someone else got there first).
func (st *store) setOffer(ctx context.Context, tx *sql.Tx, referralID, orgID, from, to string, at time.Time, reason string) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE referral_candidates SET status = $4, responded_at = $5, decline_reason = $6
		WHERE referral_id = $1 AND org_id = $2 AND status = $3`, referralID, orgID, from, to, at, reason)
	if err != nil {
		return false, fmt.Errorf("referral: offer %s: %w", referralID, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func (st *store) setDeclineNote(ctx context.Context, tx *sql.Tx, referralID, orgID, note string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE referral_candidates SET decline_note = $3
		WHERE referral_id = $1 AND org_id = $2`, referralID, orgID, note); err != nil {
		return fmt.Errorf("referral: decline note %s: %w", referralID, err)
	}
	return nil
}

func (st *store) offer(ctx context.Context, tx *sql.Tx, referralID, orgID string, at, deadline time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE referral_candidates SET status = 'offered', offered_at = $3, deadline_at = $4
		WHERE referral_id = $1 AND org_id = $2 AND status = 'queued'`, referralID, orgID, at, deadline)
	if err != nil {
		return false, fmt.Errorf("referral: offer %s: %w", referralID, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// moveReferral changes a referral's status if it is still from; false when
// another transaction moved it first.
func (st *store) moveReferral(ctx context.Context, tx *sql.Tx, id, from, to, acceptedOrg string, reserved int, at time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE referrals SET status = $3, accepted_org = $4, places_reserved = $5, updated_at = $6
		WHERE id = $1 AND status = $2`, id, from, to, acceptedOrg, reserved, at)
	if err != nil {
		return false, fmt.Errorf("referral: move %s: %w", id, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// dueOffers lists referrals with an offer past its deadline at now.
func (st *store) dueOffers(ctx context.Context, q queryer, now time.Time, limit int) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT DISTINCT referral_id FROM referral_candidates
		WHERE status = 'offered' AND deadline_at <= $1 ORDER BY referral_id LIMIT $2`, now, limit)
	if err != nil {
		return nil, fmt.Errorf("referral: due offers: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("referral: due offers: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

func (st *store) notify(ctx context.Context, tx *sql.Tx, orgID, referralID, ev string, at time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO notifications (org_id, referral_id, event, created_at) VALUES ($1, $2, $3, $4)`,
		orgID, referralID, ev, at)
	if err != nil {
		return fmt.Errorf("referral: notify: %w", err)
	}
	return nil
}

// lockPending takes the referral's row lock first, so that transactions on
// one referral queue in the same order and never deadlock over its offers.
func (st *store) lockPending(ctx context.Context, tx *sql.Tx, id string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE referrals SET status = status WHERE id = $1`, id); err != nil {
		return fmt.Errorf("referral: lock %s: %w", id, err)
	}
	return nil
}

// placeCandidate adds a coordinator's candidate, or queues again a
// provider that declined or let an earlier offer of this referral expire
// (its earlier grant revoked).
func (st *store) placeCandidate(ctx context.Context, tx *sql.Tx, c candidateRow) error {
	res, err := tx.ExecContext(ctx, `UPDATE referral_candidates SET rank = $3, status = 'queued', reasons = $4,
		grant_id = $5, grant_state = $6, grant_reason = '', offered_at = NULL, deadline_at = NULL, responded_at = NULL,
		decline_reason = '', decline_note = '', name = $7, score = $8
		WHERE referral_id = $1 AND org_id = $2 AND (grant_state = 'revoked' OR grant_state = '')`,
		c.ReferralID, c.OrgID, c.Rank, directory.EncodeList(c.Reasons), c.GrantID, c.GrantState, c.Name, c.Score)
	if err != nil {
		return fmt.Errorf("referral: place %s: %w", c.ReferralID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err
	}
	return st.insertCandidate(ctx, tx, c)
}

// insertWithdrawal records who withdrew a referral, whether as an
// emergency, and the codes they gave.
func (st *store) insertWithdrawal(ctx context.Context, tx *sql.Tx, referralID string, p auth.Principal, emergency bool,
	reason, note string, at time.Time) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO referral_withdrawals
		(referral_id, actor_user, actor_org, emergency, reason, note, withdrawn_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		referralID, p.UserID, p.OrgID, emergency, reason, note, at); err != nil {
		return fmt.Errorf("referral: record withdrawal %s: %w", referralID, err)
	}
	return nil
}

// webhookURL is the webhook URL of orgID's directory entry ("" when none
// is set); ErrNotFound when it has no entry.
func (st *store) webhookURL(ctx context.Context, q queryer, orgID string) (string, error) {
	var url string
	err := q.QueryRowContext(ctx, `SELECT webhook_url FROM providers WHERE org_id = $1`, orgID).Scan(&url)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("referral: provider %s: %w", orgID, err)
	}
	return url, nil
}
