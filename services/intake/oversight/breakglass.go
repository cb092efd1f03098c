package oversight

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake/casefile"
	"github.com/nrm-project/nrm/services/intake/store"
)

// Break-the-glass. An emergency read is an active grant of purpose
// break_glass of every section, made by intake on the owner's behalf (the
// wrap is built from the owner's keys, server-side, as for a guardian),
// plus the keys of every entry. The reason is a sealed entry the owner
// reads. ExpireBreakGlass (run by intake's Admin) revokes it when it
// expires: run every minute, an access may outlive its expiry by up to a
// minute.

func (o *Oversight) BreakGlass(ctx context.Context, caseID string, in BreakGlassInput) (BreakGlass, error) {
	p, orgKind, err := o.cw.CallerOrg(ctx)
	if err != nil {
		return BreakGlass{}, err
	}
	if !p.HasRole(auth.RoleDecisionMaker) && !p.HasRole(auth.RoleCoordinator) {
		return BreakGlass{}, kit.ErrForbidden
	}
	if in.Reason == "" || len(in.Reason) > maxReason {
		return BreakGlass{}, kit.Validation("reason: required, at most 8 KiB")
	}
	if err := o.ring.EnsureOrgKey(ctx, p.OrgID); err != nil {
		return BreakGlass{}, err
	}
	now := o.now()
	b := BreakGlass{ID: event.NewID(), CaseID: caseID, OrgID: p.OrgID, UserID: p.UserID, Status: BreakGlassOpen,
		OpenedAt: now, ExpiresAt: now.Add(time.Duration(o.pol.BreakGlassHours) * time.Hour)}
	err = o.db.Tx(ctx, func(tx *sql.Tx) error {
		c, err := o.store.CaseByID(ctx, tx, caseID, true)
		if errors.Is(err, ErrNotFound) {
			return ErrDenied
		}
		if err != nil {
			return err
		}
		// The owner reads its case without breaking any glass; anyone
		// without a stated relation to the case finds none.
		if c.OwnerOrg == p.OrgID && c.Status != casefile.StatusDraft {
			return ErrInvalidState
		}
		grants, err := o.store.Grants(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		if !mayBreakGlass(p, orgKind, c, grants) {
			return ErrDenied
		}
		if err := o.refuseDuringBreakGlass(ctx, tx, p, caseID); err != nil {
			return ErrInvalidState
		}
		if err := o.openBreakGlass(ctx, tx, p, c, &b, in.Reason); err != nil {
			return err
		}
		return o.idem.Record(ctx, tx, http.StatusCreated, caseID, b.ID)
	})
	if err != nil {
		return BreakGlass{}, o.cw.Finish(ctx, err, "intake.break_glass.open", caseID)
	}
	return b, nil
}

// mayBreakGlass states which callers have a relation to the case that
// allows an emergency access: the national coordinator (identity binds the
// role to the organisations of the referral desk), and a decision maker
// of a competent authority once the case is submitted to it: one holding
// the case's decision grant, not any competent authority.
func mayBreakGlass(p auth.Principal, orgKind string, c store.CaseRow, grants []store.GrantRow) bool {
	if c.Route == casefile.RouteAnonymous || c.Status == casefile.StatusDraft {
		return false
	}
	if p.HasRole(auth.RoleCoordinator) {
		return true
	}
	return p.HasRole(auth.RoleDecisionMaker) && orgKind == casefile.OrgKindCompetentAuthority && c.Status == casefile.StatusSubmitted &&
		store.HoldsDecisionGrant(grants, p.OrgID)
}

// openBreakGlass grants the opener's organisation every section (its key
// carries the access; the service keeps it to the opener), shares the keys
// of the case record, seals the reason, and alerts the owner and the
// auditors.
func (o *Oversight) openBreakGlass(ctx context.Context, tx *sql.Tx, p auth.Principal, c store.CaseRow, b *BreakGlass, reason string) error {
	secs, err := o.store.Sections(ctx, tx, c.ID)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(secs))
	for _, sec := range secs {
		names = append(names, sec.Header.Section)
	}
	slices.Sort(names)
	if err := o.cw.GrantSections(ctx, tx, c, secs, p.UserID, p.OrgID, slices.Compact(names), casefile.PurposeBreakGlass); err != nil {
		return err
	}
	if b.GrantID, err = o.latestGrant(ctx, tx, c.ID, p.OrgID, p.UserID, casefile.PurposeBreakGlass); err != nil {
		return err
	}
	if err := o.cw.ShareRecord(ctx, tx, c.ID, c.OwnerOrg, p.OrgID); err != nil {
		return err
	}
	if b.ReasonEntry, err = o.cw.SealEntry(ctx, tx, p, c, casefile.EntryBreakGlassReason, map[string]string{"reason": reason}); err != nil {
		return err
	}
	if err := o.store.InsertBreakGlass(ctx, tx, *b); err != nil {
		return err
	}
	// The owner organisation (any of its users) and the auditors are told.
	for _, a := range []struct{ org, role string }{{c.OwnerOrg, ""}, {"", auth.RoleAuditor}} {
		if err := o.store.InsertAlert(ctx, tx, event.NewID(), c.ID, a.org, a.role, "break_glass", b.OpenedAt); err != nil {
			return err
		}
	}
	return o.cw.Emit(ctx, tx,
		o.rec.New(ctx, "intake.break_glass.open", "case", c.ID, event.Allowed),
		o.rec.New(ctx, "intake.break_glass.notify_owner", "case", c.ID, event.Allowed))
}

// latestGrant returns the id of org's newest active grant of purpose made
// by user.
func (o *Oversight) latestGrant(ctx context.Context, tx *sql.Tx, caseID, org, user, purpose string) (string, error) {
	grants, err := o.store.Grants(ctx, tx, caseID)
	if err != nil {
		return "", err
	}
	id := ""
	for _, g := range grants {
		if g.OrgID == org && g.GrantedBy == user && g.Purpose == purpose && g.Status == casefile.GrantActive {
			id = g.ID
		}
	}
	if id == "" {
		return "", fmt.Errorf("intake: case %s: break glass: no grant made: %w", caseID, ErrIntegrity)
	}
	return id, nil
}

func (o *Oversight) BreakGlassList(ctx context.Context) ([]BreakGlass, error) {
	if _, err := auditorOnly(ctx); err != nil {
		return nil, err
	}
	out, err := o.store.BreakGlassList(ctx)
	if err != nil {
		return nil, err
	}
	if err := o.cw.AuditAlone(ctx, o.rec.New(ctx, "intake.break_glass.list", "break_glass", "", event.Allowed)); err != nil {
		return nil, err
	}
	return out, nil
}

func (o *Oversight) ReviewBreakGlass(ctx context.Context, id string, in ReviewInput) (BreakGlass, error) {
	p, err := auditorOnly(ctx)
	if err != nil {
		return BreakGlass{}, err
	}
	if in.Code == "" || len(in.Code) > 64 || !codeRe.MatchString(in.Code) {
		return BreakGlass{}, kit.Validation("code: a review code of letters, digits and _.:-")
	}
	var b BreakGlass
	err = o.db.Tx(ctx, func(tx *sql.Tx) error {
		b, err = o.store.BreakGlassByID(ctx, tx, id, "", true)
		if err != nil {
			return err
		}
		// The review is another organisation's: an auditor of the opener's
		// own organisation may not judge a colleague's access.
		if b.OrgID == p.OrgID {
			return errReviewOwnOrg
		}
		if b.ReviewedBy != "" {
			return ErrInvalidState
		}
		now := o.now()
		b.ReviewedBy, b.ReviewCode, b.ReviewedAt = p.UserID, in.Code, &now
		if err := o.store.ReviewBreakGlass(ctx, tx, id, p.UserID, in.Code, now); err != nil {
			return err
		}
		return o.cw.Emit(ctx, tx, o.rec.New(ctx, "intake.break_glass.review", "break_glass", id, event.Allowed))
	})
	if errors.Is(err, errReviewOwnOrg) {
		o.cw.CountDenial(kit.CodeForbidden)
		if err := o.cw.AuditAlone(ctx, o.rec.New(ctx, "intake.break_glass.review", "break_glass", id, event.Denied)); err != nil {
			return BreakGlass{}, err
		}
		return BreakGlass{}, ErrReviewOwnOrg
	}
	if err != nil {
		return BreakGlass{}, err
	}
	return b, nil
}

// errReviewOwnOrg marks, inside the transaction, a review by the opener's
// own organisation; ErrReviewOwnOrg answers it once the denial is audited.
var errReviewOwnOrg = errors.New("intake: review by the opener's organisation")

// ErrReviewOwnOrg refuses an auditor of the opener's own organisation.
var ErrReviewOwnOrg = kit.NewError(http.StatusForbidden, "review_own_organisation",
	"an emergency access is reviewed by an auditor of another organisation")

// ExpireBreakGlass revokes every emergency access whose time is up at now:
// the grant is revoked, the organisation's wrap rebuilt from the owner's
// keys without it, its entry keys dropped. Run it every minute (nrm serve):
// an access outlives its expiry by at most that interval. It returns the
// number of accesses closed.
func (o *Oversight) ExpireBreakGlass(ctx context.Context, now time.Time) (int, error) {
	ctx = auth.WithPrincipal(ctx, auth.System())
	ids, err := o.store.BreakGlassDue(ctx, now)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		if err := o.db.Tx(ctx, func(tx *sql.Tx) error { return o.expireOne(ctx, tx, id, now) }); err != nil {
			return n, fmt.Errorf("intake: break glass expiry %s: %w", id, err)
		}
		n++
	}
	return n, nil
}

func (o *Oversight) expireOne(ctx context.Context, tx *sql.Tx, id string, now time.Time) error {
	b, err := o.store.BreakGlassByID(ctx, tx, id, "", true)
	if err != nil {
		return err
	}
	if b.Status != BreakGlassOpen {
		return nil
	}
	c, err := o.store.CaseByID(ctx, tx, b.CaseID, true)
	if err != nil {
		return err
	}
	if err := o.cw.RevokeReader(ctx, tx, c, b.OrgID, c.OwnerOrg, func(g store.GrantRow) bool { return g.ID == b.GrantID }); err != nil {
		return err
	}
	if err := o.store.ExpireBreakGlass(ctx, tx, id, now); err != nil {
		return err
	}
	return o.cw.Emit(ctx, tx, o.rec.New(ctx, "intake.break_glass.expire", "case", b.CaseID, event.Allowed))
}
