package intake

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
	"github.com/nrm-project/nrm/services/intake/store"
)

// Break-the-glass. An emergency read is an active grant of purpose
// break_glass of every section, made by intake on the owner's behalf (the
// wrap is built from the owner's keys, server-side, as for a guardian),
// plus the keys of every entry. The reason is a sealed entry the owner
// reads. Admin.ExpireBreakGlass revokes it when it expires: run every
// minute, an access may outlive its expiry by up to a minute.

const (
	purposeBreakGlass = "break_glass"
	entryBreakGlass   = "break_glass_reason"
	grantedByIntake   = "intake"
)

func (s *service) BreakGlass(ctx context.Context, caseID string, in BreakGlassInput) (BreakGlass, error) {
	p, org, err := s.callerOrg(ctx)
	if err != nil {
		return BreakGlass{}, err
	}
	if !p.HasRole(auth.RoleDecisionMaker) && !p.HasRole(auth.RoleCoordinator) {
		return BreakGlass{}, kit.ErrForbidden
	}
	if in.Reason == "" || len(in.Reason) > maxReason {
		return BreakGlass{}, kit.Validation("reason: required, at most 8 KiB")
	}
	if err := s.ring.EnsureOrgKey(ctx, p.OrgID); err != nil {
		return BreakGlass{}, err
	}
	now := s.now()
	b := BreakGlass{ID: event.NewID(), CaseID: caseID, OrgID: p.OrgID, UserID: p.UserID, Status: BreakGlassOpen,
		OpenedAt: now, ExpiresAt: now.Add(time.Duration(s.pol.BreakGlassHours) * time.Hour)}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		c, err := s.store.CaseByID(ctx, tx, caseID, true)
		if errors.Is(err, ErrNotFound) {
			return errDenied
		}
		if err != nil {
			return err
		}
		// The owner reads its case without breaking any glass; anyone
		// without a stated relation to the case finds none.
		if c.OwnerOrg == p.OrgID && c.Status != StatusDraft {
			return ErrInvalidState
		}
		grants, err := s.store.Grants(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		if !mayBreakGlass(p, org, c, grants) {
			return errDenied
		}
		if err := s.refuseDuringBreakGlass(ctx, tx, p, caseID); err != nil {
			return ErrInvalidState
		}
		if err := s.openBreakGlass(ctx, tx, p, c, &b, in.Reason); err != nil {
			return err
		}
		return s.idem.Record(ctx, tx, http.StatusCreated, caseID, b.ID)
	})
	if err != nil {
		return BreakGlass{}, s.finish(ctx, err, "intake.break_glass.open", caseID)
	}
	return b, nil
}

// openBreakGlass grants the opener's organisation every section (its key
// carries the access; grantsFor keeps it to the opener), shares the keys of
// the case record, seals the reason, and alerts the owner and the auditors.
func (s *service) openBreakGlass(ctx context.Context, tx *sql.Tx, p auth.Principal, c store.CaseRow, b *BreakGlass, reason string) error {
	secs, err := s.store.Sections(ctx, tx, c.ID)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(secs))
	for _, sec := range secs {
		names = append(names, sec.Header.Section)
	}
	slices.Sort(names)
	if err := s.grantActive(ctx, tx, c, secs, p.UserID, c.OwnerOrg, []OrgInfo{{ID: p.OrgID}}, slices.Compact(names), purposeBreakGlass); err != nil {
		return err
	}
	if b.GrantID, err = s.latestGrant(ctx, tx, c.ID, p.OrgID, p.UserID, purposeBreakGlass); err != nil {
		return err
	}
	types := append(slices.Clone(EntryTypes), entryDecision, entryLetter)
	if err := s.shareEntries(ctx, tx, c.ID, c.OwnerOrg, p.OrgID, types); err != nil {
		return err
	}
	if b.ReasonEntry, err = s.sealEntry(ctx, tx, p, c, entryBreakGlass, map[string]string{"reason": reason}, ""); err != nil {
		return err
	}
	if err := s.store.InsertBreakGlass(ctx, tx, *b); err != nil {
		return err
	}
	// The owner organisation (any of its users) and the auditors are told.
	for _, a := range []struct{ org, role string }{{c.OwnerOrg, ""}, {"", auth.RoleAuditor}} {
		if err := s.store.InsertAlert(ctx, tx, event.NewID(), c.ID, a.org, a.role, "break_glass", b.OpenedAt); err != nil {
			return err
		}
	}
	return s.emitWorkflow(ctx, tx, nil,
		s.rec.New(ctx, "intake.break_glass.open", "case", c.ID, event.Allowed),
		s.rec.New(ctx, "intake.break_glass.notify_owner", "case", c.ID, event.Allowed))
}

// latestGrant returns the id of org's newest active grant of purpose made
// by user.
func (s *service) latestGrant(ctx context.Context, tx *sql.Tx, caseID, org, user, purpose string) (string, error) {
	grants, err := s.store.Grants(ctx, tx, caseID)
	if err != nil {
		return "", err
	}
	id := ""
	for _, g := range grants {
		if g.OrgID == org && g.GrantedBy == user && g.Purpose == purpose && g.Status == GrantActive {
			id = g.ID
		}
	}
	if id == "" {
		return "", fmt.Errorf("intake: case %s: break glass: no grant made: %w", caseID, ErrIntegrity)
	}
	return id, nil
}

// auditorOnly returns the caller if they hold the auditor role.
func auditorOnly(ctx context.Context) (auth.Principal, error) {
	p, err := principal(ctx)
	if err != nil {
		return p, err
	}
	if !p.HasRole(auth.RoleAuditor) {
		return p, kit.ErrForbidden
	}
	return p, nil
}

func (s *service) BreakGlassList(ctx context.Context) ([]BreakGlass, error) {
	if _, err := auditorOnly(ctx); err != nil {
		return nil, err
	}
	out, err := s.store.BreakGlassList(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.auditAlone(ctx, s.rec.New(ctx, "intake.break_glass.list", "break_glass", "", event.Allowed)); err != nil {
		return nil, err
	}
	return out, nil
}

func (s *service) ReviewBreakGlass(ctx context.Context, id string, in ReviewInput) (BreakGlass, error) {
	p, err := auditorOnly(ctx)
	if err != nil {
		return BreakGlass{}, err
	}
	if in.Code == "" || len(in.Code) > 64 || !refRe.MatchString(in.Code) {
		return BreakGlass{}, kit.Validation("code: a review code of letters, digits and _.:-")
	}
	var b BreakGlass
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		b, err = s.store.BreakGlassByID(ctx, tx, id, "", true)
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
		now := s.now()
		b.ReviewedBy, b.ReviewCode, b.ReviewedAt = p.UserID, in.Code, &now
		if err := s.store.ReviewBreakGlass(ctx, tx, id, p.UserID, in.Code, now); err != nil {
			return err
		}
		return s.emitWorkflow(ctx, tx, nil, s.rec.New(ctx, "intake.break_glass.review", "break_glass", id, event.Allowed))
	})
	if errors.Is(err, errReviewOwnOrg) {
		s.metrics.denials.WithLabelValues(kit.CodeForbidden).Inc()
		if err := s.auditAlone(ctx, s.rec.New(ctx, "intake.break_glass.review", "break_glass", id, event.Denied)); err != nil {
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
func (a *Admin) ExpireBreakGlass(ctx context.Context, now time.Time) (int, error) {
	s := a.s
	ctx = auth.WithPrincipal(ctx, auth.System())
	ids, err := s.store.BreakGlassDue(ctx, now)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		if err := s.db.Tx(ctx, func(tx *sql.Tx) error { return s.expireOne(ctx, tx, id, now) }); err != nil {
			return n, fmt.Errorf("intake: break glass expiry %s: %w", id, err)
		}
		n++
	}
	return n, nil
}

func (s *service) expireOne(ctx context.Context, tx *sql.Tx, id string, now time.Time) error {
	b, err := s.store.BreakGlassByID(ctx, tx, id, "", true)
	if err != nil {
		return err
	}
	if b.Status != BreakGlassOpen {
		return nil
	}
	c, err := s.store.CaseByID(ctx, tx, b.CaseID, true)
	if err != nil {
		return err
	}
	if err := s.revokeReader(ctx, tx, c, b.OrgID, c.OwnerOrg, func(g store.GrantRow) bool { return g.ID == b.GrantID }); err != nil {
		return err
	}
	if err := s.store.ExpireBreakGlass(ctx, tx, id, now); err != nil {
		return err
	}
	return s.emitWorkflow(ctx, tx, nil, s.rec.New(ctx, "intake.break_glass.expire", "case", b.CaseID, event.Allowed))
}
