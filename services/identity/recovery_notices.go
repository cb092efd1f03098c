package identity

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/pkg/notice"
)

// Account recovery is told, in the change's transaction, through the
// identity outbox (topic notice.Topic) to the inboxes the referral service
// keeps: to the user whose account it is, so that a recovery they did not
// ask for is seen at their next sign-in, and to their organisation's
// administrators for what another administrator did or what an attacker
// with the password triggered, so that one administrator's act is seen by
// the others. Codes and ids only: the user's id, never the e-mail or name.

// recoveryToAdmins says which recoveries the organisation's administrators
// are told of besides the user: every one but the user's own use of a
// reset token (told to them when it was issued).
var recoveryToAdmins = map[string]bool{
	notice.RecoverySecondFactorReset:     true,
	notice.RecoverySecondFactorSuspended: true,
	notice.RecoveryPasswordResetIssued:   true,
	notice.RecoveryEnrolmentTicketIssued: true,
	notice.RecoveryEnabled:               true,
}

// recovered tells the recovery on user's account (tellRecovery) and
// appends its audit events, in tx: notice and events commit with the change.
func (s *service) recovered(ctx context.Context, tx *sql.Tx, user, org, recovery string, events ...event.Audit) error {
	if err := s.tellRecovery(ctx, tx, user, org, recovery); err != nil {
		return err
	}
	return s.audit(ctx, tx, events...)
}

// tellRecovery appends the notices of recovery on the account of user in
// org to the outbox in tx.
func (s *service) tellRecovery(ctx context.Context, tx *sql.Tx, user, org, recovery string) error {
	now := s.now()
	ns := []notice.Notice{{ID: event.NewID(), Org: org, User: user, Kind: notice.KindAccountRecovery,
		Detail: recovery, ObjectType: notice.ObjectUser, ObjectID: user, CreatedAt: now}}
	if recoveryToAdmins[recovery] {
		ns = append(ns, notice.Notice{ID: event.NewID(), Org: org, Role: auth.RoleOrgAdmin, Kind: notice.KindAccountRecovery,
			Detail: recovery, ObjectType: notice.ObjectUser, ObjectID: user, CreatedAt: now})
	}
	ps := make([]any, len(ns))
	for i, n := range ns {
		if err := n.Validate(); err != nil {
			return fmt.Errorf("identity: %w", err)
		}
		ps[i] = n
	}
	if err := s.outbox.Append(ctx, tx, notice.Topic, ps...); err != nil {
		return fmt.Errorf("identity: notices: %w: %w", kit.ErrUnavailable, err)
	}
	return nil
}
