package grants

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"

	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/grantchange"
	"github.com/nrm-project/nrm/pkg/outbox"
)

// Revocations travel on the outbox both ways (pkg/grantchange): a
// candidate's grant revoked here (decline, expiry, withdrawal) is marked
// revoked and, in the same transaction, put in referral's outbox for
// intake, which revokes it however often the message comes; what intake
// revokes of a referral's grants comes back on intake's outbox and is
// marked here (Receiver), so no grant intake revoked shows as live.

// Candidate names a candidate's grant.
type Candidate struct {
	CaseID, ReferralID, OrgID, GrantID string
}

// Revoke marks the candidate's grant revoked for reason (one of
// grantchange.ReasonsFromReferral) in tx and asks intake, in the same
// transaction, to revoke it. A grant already revoked is left as it is and
// asked for no more; a candidate without a grant (consent did not cover
// it) has nothing to ask.
func Revoke(ctx context.Context, tx *sql.Tx, ob *outbox.Outbox, c Candidate, reason string, now time.Time) error {
	res, err := tx.ExecContext(ctx, `UPDATE referral_candidates SET grant_state = 'revoked', grant_reason = $3
		WHERE referral_id = $1 AND org_id = $2 AND grant_state <> 'revoked'`, c.ReferralID, c.OrgID, reason)
	if err != nil {
		return fmt.Errorf("referral: revoke grant %s: %w", c.ReferralID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 || c.GrantID == "" {
		return err
	}
	return ask(ctx, tx, ob, c, reason, now)
}

// ask appends the revocation of c's grant for intake.
func ask(ctx context.Context, tx outbox.Execer, ob *outbox.Outbox, c Candidate, reason string, now time.Time) error {
	r := grantchange.Revocation{ID: grantchange.MessageID("referral", c.GrantID), CaseID: c.CaseID,
		ReferralID: c.ReferralID, OrgID: c.OrgID, GrantID: c.GrantID, Reason: reason, At: now}
	if err := r.Validate(grantchange.ReasonsFromReferral); err != nil {
		return fmt.Errorf("referral: referral %s: %w", c.ReferralID, err)
	}
	if err := ob.Append(ctx, tx, grantchange.Topic, r); err != nil {
		return fmt.Errorf("referral: grant revocation: %w", err)
	}
	return nil
}

// Handover puts in the outbox, each in one transaction with its mark,
// the revocations left due ('revoke') by the retry loop that came before
// the outbox, up to limit, and returns how many. Their reason is not
// known any more: withdrawn.
func Handover(ctx context.Context, d *db.DB, ob *outbox.Outbox, now time.Time, limit int) (int, error) {
	rows, err := d.QueryContext(ctx, `SELECT c.referral_id, c.org_id, c.grant_id, r.case_id
		FROM referral_candidates c JOIN referrals r ON r.id = c.referral_id
		WHERE c.grant_state = 'revoke' ORDER BY c.referral_id, c.org_id LIMIT $1`, limit)
	if err != nil {
		return 0, fmt.Errorf("referral: revocations due: %w", err)
	}
	var due []Candidate
	for rows.Next() {
		var c Candidate
		if err := rows.Scan(&c.ReferralID, &c.OrgID, &c.GrantID, &c.CaseID); err != nil {
			rows.Close()
			return 0, fmt.Errorf("referral: revocations due: %w", err)
		}
		due = append(due, c)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return 0, fmt.Errorf("referral: revocations due: %w", err)
	}
	n := 0
	for _, c := range due {
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			return Revoke(ctx, tx, ob, c, grantchange.ReasonWithdrawn, now)
		})
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// Receiver marks the candidates' grants intake revoked (an
// outbox.Handler for intake's topic grantchange.Topic).
type Receiver struct {
	DB     *db.DB
	Logger log.Logger
}

// Receive marks each grant named revoked, with intake's reason. Delivery
// is at least once: a grant already revoked keeps the reason it was
// revoked for. A message that is malformed, or names a grant that is not
// that referral's grant to that organisation in that case, is logged and
// acknowledged: it changes nothing, and retrying would hold up the topic.
func (r *Receiver) Receive(ctx context.Context, msgs []outbox.Message) error {
	return r.DB.Tx(ctx, func(tx *sql.Tx) error {
		for _, m := range msgs {
			var g grantchange.Revocation
			if err := json.Unmarshal(m.Payload, &g); err != nil {
				level.Error(r.Logger).Log("msg", "grant revocation dropped: undecodable", "source", m.Source, "seq", m.Seq)
				continue
			}
			if err := g.Validate(grantchange.ReasonsFromIntake); err != nil || m.Source != "intake" {
				level.Error(r.Logger).Log("msg", "grant revocation dropped", "source", m.Source, "seq", m.Seq, "err", err)
				continue
			}
			res, err := tx.ExecContext(ctx, `UPDATE referral_candidates SET grant_state = 'revoked', grant_reason = $4
				WHERE referral_id = $1 AND org_id = $2 AND grant_id = $3 AND grant_state <> 'revoked'
				AND EXISTS (SELECT 1 FROM referrals WHERE id = $1 AND case_id = $5)`,
				g.ReferralID, g.OrgID, g.GrantID, g.Reason, g.CaseID)
			if err != nil {
				return fmt.Errorf("referral: grant revoked in intake %s: %w", g.ReferralID, err)
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 0 {
				r.unmatched(ctx, tx, m, g)
			}
		}
		return nil
	})
}

// unmatched logs a revocation that changed nothing and names no grant
// already revoked here. A grant no candidate holds (of a referral never
// written, its grants undone by RevokeAll, or replaced by a new
// placement) is ordinary; a grant held under another referral,
// organisation or case is not.
func (r *Receiver) unmatched(ctx context.Context, tx *sql.Tx, m outbox.Message, g grantchange.Revocation) {
	var same, held int
	err := tx.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM referral_candidates c JOIN referrals r ON r.id = c.referral_id
			WHERE c.referral_id = $1 AND c.org_id = $2 AND c.grant_id = $3 AND r.case_id = $4),
		(SELECT COUNT(*) FROM referral_candidates WHERE grant_id = $3)`,
		g.ReferralID, g.OrgID, g.GrantID, g.CaseID).Scan(&same, &held)
	switch {
	case err == nil && same > 0:
		return // already revoked: a redelivery, or the echo of referral's own
	case err == nil && held == 0:
		level.Info(r.Logger).Log("msg", "grant revocation for no current grant here", "source", m.Source,
			"seq", m.Seq, "referral", g.ReferralID)
	default:
		level.Warn(r.Logger).Log("msg", "grant revocation ignored: not that referral's grant", "source", m.Source,
			"seq", m.Seq, "referral", g.ReferralID, "err", err)
	}
}
