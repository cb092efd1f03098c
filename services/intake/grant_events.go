package intake

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/go-kit/log/level"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/grantchange"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/pkg/outbox"
	"github.com/nrm-project/nrm/services/intake/store"
)

// Revocations of referral grants travel both ways on the outbox
// (pkg/grantchange): intake tells referral of every referral grant it
// revokes on its own decision, in the revocation's transaction, so
// referral never shows a grant live that intake revoked; referral's
// revocations (decline, expiry, withdrawal) come to ReceiveGrantChanges,
// or RevokeReferralGrant for the grants of a referral it could not write,
// and are not told back.

// purposeReferral is the purpose of the grants a referral asks for.
const purposeReferral = "referral"

// askedByReferral is the reason of a revocation referral asked for: it
// marked the grant revoked when it asked, so it is not told back.
const askedByReferral = ""

// tellReferral appends, in tx, that g was revoked for reason, when g is a
// referral's grant and intake decided it. Ids and a code only: nothing
// about the person.
func (s *service) tellReferral(ctx context.Context, tx *sql.Tx, g store.GrantRow, reason string) error {
	if reason == askedByReferral || g.Purpose != purposeReferral || g.ReferralID == "" {
		return nil
	}
	r := grantchange.Revocation{CaseID: g.CaseID, ReferralID: g.ReferralID,
		OrgID: g.OrgID, GrantID: g.ID, Reason: reason, At: s.now()}
	if err := r.Validate(grantchange.ReasonsFromIntake); err != nil {
		return fmt.Errorf("intake: grant %s: %w", g.ID, err)
	}
	if err := s.outbox.Append(ctx, tx, grantchange.Topic, r); err != nil {
		return fmt.Errorf("intake: grant revocation: %w: %w", ErrUnavailable, err)
	}
	return nil
}

// ReceiveGrantChanges revokes the referral grants referral's outbox
// names (an outbox.Handler for its topic grantchange.Topic). Delivery is
// at least once: a grant already revoked is left as it is, with no second
// audit event. A message that is malformed, or names a grant that is not
// that referral's grant to that organisation in that case (forged,
// misrouted, or of a case purged since), is logged and acknowledged:
// retrying it would never succeed and would hold up the topic. So is a
// case whose stored keys fail their integrity checks.
func (in *Intake) ReceiveGrantChanges(ctx context.Context, msgs []outbox.Message) error {
	s := in.s
	ctx = auth.WithPrincipal(ctx, auth.ServicePrincipal("referral"))
	for _, m := range msgs {
		var r grantchange.Revocation
		if err := json.Unmarshal(m.Payload, &r); err != nil {
			level.Error(s.log).Log("msg", "grant revocation dropped: undecodable", "source", m.Source, "seq", m.Seq)
			continue
		}
		if err := r.Validate(grantchange.ReasonsFromReferral); err != nil || m.Source != "referral" {
			level.Error(s.log).Log("msg", "grant revocation dropped", "source", m.Source, "seq", m.Seq, "err", err)
			continue
		}
		want := ReferralGrant{CaseID: r.CaseID, ReferralID: r.ReferralID, OrgID: r.OrgID, GrantID: r.GrantID}
		err := s.db.Tx(ctx, func(tx *sql.Tx) error { return s.revokeForReferral(ctx, tx, want) })
		if errors.Is(err, errNotReferrals) {
			level.Warn(s.log).Log("msg", "grant revocation refused: not that referral's grant", "source", m.Source,
				"seq", m.Seq, "grant", r.GrantID, "referral", r.ReferralID)
			continue
		}
		if errors.Is(err, ErrIntegrity) {
			// A case whose stored keys fail their checks will fail again:
			// retried, it would hold up every later revocation, of every
			// case, behind it on the topic. It is logged and audited as
			// failed, like any read of that case.
			level.Error(s.log).Log("msg", "grant revocation failed: case integrity", "source", m.Source,
				"seq", m.Seq, "grant", r.GrantID, "case", r.CaseID)
			_ = s.auditAlone(ctx, s.rec.New(ctx, "intake.case.integrity", "case", r.CaseID, event.Failed))
			continue
		}
		if err != nil {
			return fmt.Errorf("intake: grant revocation %s: %w", r.GrantID, err)
		}
	}
	return nil
}

// errNotReferrals: the message named a grant that is not the one it
// claims (unknown, another case's, another referral's or organisation's).
var errNotReferrals = errors.New("intake: not the referral's grant")

// CodeNotReferralsGrant answers referral naming a grant that is not the
// one of the referral, organisation and case it names.
const CodeNotReferralsGrant = "not_referrals_grant"

// ErrNotReferralsGrant refuses such a request: nothing is revoked.
var ErrNotReferralsGrant = kit.NewError(http.StatusConflict, CodeNotReferralsGrant,
	"the grant named is not that referral's grant to that organisation in that case")

// ReferralGrant names the grant referral asks intake to revoke: the one
// of that referral to that organisation in that case.
type ReferralGrant struct {
	CaseID, ReferralID, OrgID, GrantID string
}

// RevokeReferralGrant revokes, on the owner's behalf, the grant referral
// asks for synchronously (the grants of a referral it could not write),
// as ReceiveGrantChanges does for its outbox: only the grant of that
// referral to that organisation in that case, else ErrNotReferralsGrant,
// logged, and nothing revoked. Only referral reaches it (cmd/nrm), as
// itself or for the user whose request it serves.
func (in *Intake) RevokeReferralGrant(ctx context.Context, g ReferralGrant) error {
	s := in.s
	var missing []kit.FieldError
	for _, f := range []struct{ path, v string }{{"case_id", g.CaseID}, {"referral_id", g.ReferralID},
		{"org_id", g.OrgID}, {"grant_id", g.GrantID}} {
		if f.v == "" {
			missing = append(missing, kit.FieldError{Path: f.path, Code: kit.FieldRequired, Message: "required"})
		}
	}
	if len(missing) > 0 {
		return kit.ValidationFields(missing...)
	}
	if _, ok := auth.FromContext(ctx); !ok {
		return kit.ErrUnauthenticated
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error { return s.revokeForReferral(ctx, tx, g) })
	if errors.Is(err, errNotReferrals) {
		level.Warn(s.log).Log("msg", "grant revocation refused: not that referral's grant", "grant", g.GrantID,
			"referral", g.ReferralID)
		return ErrNotReferralsGrant
	}
	if err != nil {
		return fmt.Errorf("intake: referral grant %s: %w", g.GrantID, err)
	}
	return nil
}

// revokeForReferral revokes, in tx and on the owner's behalf, the grant
// want names when it is that referral's grant to that organisation in
// that case (else errNotReferrals): the one check of what referral asks,
// on its outbox or synchronously. Referral marked the grant revoked when
// it asked: it is not told back.
func (s *service) revokeForReferral(ctx context.Context, tx *sql.Tx, want ReferralGrant) error {
	c, g, err := s.Grants.GrantInCase(ctx, tx, want.CaseID, want.GrantID)
	if errors.Is(err, errDenied) {
		return errNotReferrals
	}
	if err != nil {
		return err
	}
	if g.Purpose != purposeReferral || g.ReferralID != want.ReferralID || g.OrgID != want.OrgID {
		return errNotReferrals
	}
	if g.Status == GrantRevoked {
		return nil
	}
	match := func(o store.GrantRow) bool { return o.ID == g.ID }
	if err := s.revokeReaderFor(ctx, tx, c, g.OrgID, c.OwnerOrg, askedByReferral, match); err != nil {
		return err
	}
	return s.audit(ctx, tx, s.rec.New(ctx, "intake.grant.revoke", "grant", g.ID, event.Allowed))
}

// RevokeReferralGrants revokes every referral grant of the case still
// pending or active, telling referral why (oversight.Casework: the purge
// ends every provider's access to a case it purges), with an audit event
// for each, and returns how many.
func (w casework) RevokeReferralGrants(ctx context.Context, tx *sql.Tx, c store.CaseRow, reason string) (int, error) {
	s := w.s
	grants, err := s.store.Grants(ctx, tx, c.ID)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, g := range grants {
		if g.Purpose != purposeReferral || g.Status == GrantRevoked {
			continue
		}
		match := func(o store.GrantRow) bool { return o.ID == g.ID }
		if err := s.revokeReaderFor(ctx, tx, c, g.OrgID, c.OwnerOrg, reason, match); err != nil {
			return n, err
		}
		if err := s.audit(ctx, tx, s.rec.New(ctx, "intake.grant.revoke", "grant", g.ID, event.Allowed)); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
