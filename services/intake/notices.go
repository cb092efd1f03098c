package intake

import (
	"context"
	"fmt"
	"strings"

	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/notice"
	"github.com/nrm-project/nrm/pkg/outbox"
	"github.com/nrm-project/nrm/services/intake/store"
)

// Notices leave intake through its outbox (topic notice.Topic), in the
// transaction of the change they tell of; the referral service keeps the
// inboxes. A notice is codes and ids only (notice.Notice.Validate).

// guardianQuiet are the audited actions on a case that neither change nor
// open the child's file. Every other allowed action on the case, on one of
// its grants, duplicate matches or emergency accesses is told to the
// child's guardian, so that a new action is told without a list to update.
var guardianQuiet = map[string]bool{
	"intake.case.integrity":    true, // a failed integrity check, nothing opened
	"intake.case.register":     true, // a new case has no guardian yet
	"intake.duplicate.check":   true, // the check at registration, before any guardian
	"intake.notification.link": true, // its object is the notification, not the case
}

// guardianTold reports whether the guardian is told of action: every
// intake action except reads (…read, …list) and guardianQuiet.
func guardianTold(action string) bool {
	if !strings.HasPrefix(action, "intake.") || guardianQuiet[action] {
		return false
	}
	switch action[strings.LastIndexByte(action, '.')+1:] {
	case "read", "list", "summary", "queue":
		return false
	}
	return true
}

// casesOf returns the cases event e is about: a case, or the case of a
// grant, a possible duplicate (both its cases) or an emergency access.
func (s *service) casesOf(ctx context.Context, q store.Querier, e event.Audit) ([]string, error) {
	if e.ObjectType == "case" {
		return []string{e.ObjectID}, nil
	}
	return s.store.ObjectCases(ctx, q, e.ObjectType, e.ObjectID)
}

// emitNotices appends notices to the outbox in tx.
func (s *service) emitNotices(ctx context.Context, tx outbox.Execer, ns ...notice.Notice) error {
	if len(ns) == 0 {
		return nil
	}
	ps := make([]any, len(ns))
	for i, n := range ns {
		if err := n.Validate(); err != nil {
			return fmt.Errorf("intake: %w", err)
		}
		ps[i] = n
	}
	if err := s.outbox.Append(ctx, tx, notice.Topic, ps...); err != nil {
		return fmt.Errorf("intake: notices: %w: %w", ErrUnavailable, err)
	}
	return nil
}

// tellGuardian tells a child's guardian of each change audited in events
// (one notice per case), unless the guardian made it. An appointment is
// told as such to the guardian appointed.
func (s *service) tellGuardian(ctx context.Context, tx store.Querier, events []event.Audit) error {
	done := map[string]bool{}
	var out []notice.Notice
	for _, e := range events {
		if e.Outcome != event.Allowed || !guardianTold(e.Action) {
			continue
		}
		cases, err := s.casesOf(ctx, tx, e)
		if err != nil {
			return err
		}
		for _, caseID := range cases {
			if done[caseID] {
				continue
			}
			n, ok, err := s.guardianNotice(ctx, tx, e, caseID)
			if err != nil {
				return err
			}
			if ok {
				done[caseID] = true
				out = append(out, n)
			}
		}
	}
	return s.emitNotices(ctx, tx, out...)
}

// guardianNotice is the notice telling caseID's guardian of e, if the
// case has a guardian other than the actor.
func (s *service) guardianNotice(ctx context.Context, tx store.Querier, e event.Audit, caseID string) (notice.Notice, bool, error) {
	g, ok, err := s.store.GuardianOf(ctx, tx, caseID)
	if err != nil || !ok {
		return notice.Notice{}, false, err
	}
	user, org, decision, support := g.User, g.Org, g.Decision, g.Support
	if user == "" || org == "" || user == e.ActorUser && e.Action != "intake.guardian.appoint" {
		return notice.Notice{}, false, nil
	}
	n := notice.Notice{ID: event.NewID(), Org: org, User: user, Kind: notice.KindCaseChanged,
		ObjectType: notice.ObjectCase, ObjectID: caseID, CreatedAt: s.now()}
	switch e.Action {
	case "intake.guardian.appoint":
		n.Kind = notice.KindGuardianAppointed
	case "intake.case.transition", "intake.case.submit":
		n.Detail = "decision." + decision
	case "intake.support.transition":
		n.Detail = "support." + support
	default:
		n.Detail = strings.TrimPrefix(e.Action, "intake.")
	}
	return n, true, nil
}
