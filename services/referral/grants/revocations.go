package grants

import (
	"context"
	"database/sql"
	"encoding/json"
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
	if marked, err := markRevoked(ctx, tx, c, reason); err != nil || !marked || c.GrantID == "" {
		return err
	}
	return ask(ctx, tx, ob, c, reason, now)
}

// ask appends the revocation of c's grant for intake.
func ask(ctx context.Context, tx outbox.Execer, ob *outbox.Outbox, c Candidate, reason string, now time.Time) error {
	r := grantchange.Revocation{CaseID: c.CaseID,
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
	due, err := dueRevocations(ctx, d, limit)
	if err != nil {
		return 0, err
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
			marked, err := markRevokedByIntake(ctx, tx, g.CaseID, g.ReferralID, g.OrgID, g.GrantID, g.Reason)
			if err != nil {
				return err
			}
			if !marked {
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
	same, held, err := grantHolders(ctx, tx, g.CaseID, g.ReferralID, g.OrgID, g.GrantID)
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
