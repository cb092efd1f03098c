package intake

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
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

// guardianObjects finds the cases an audited object belongs to.
var guardianObjects = map[string]string{
	"grant":       `SELECT case_id, '' FROM grants WHERE id = $1`,
	"duplicate":   `SELECT case_id, matches_id FROM duplicates WHERE id = $1`,
	"break_glass": `SELECT case_id, '' FROM break_glass WHERE id = $1`,
}

// casesOf returns the cases event e is about.
func casesOf(ctx context.Context, q store.Querier, e event.Audit) ([]string, error) {
	if e.ObjectType == "case" {
		return []string{e.ObjectID}, nil
	}
	query, ok := guardianObjects[e.ObjectType]
	if !ok || e.ObjectID == "" {
		return nil, nil
	}
	var a, b string
	err := q.QueryRowContext(ctx, query, e.ObjectID).Scan(&a, &b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("intake: case of %s %s: %w", e.ObjectType, e.ObjectID, err)
	}
	if b == "" {
		return []string{a}, nil
	}
	return []string{a, b}, nil
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
		cases, err := casesOf(ctx, tx, e)
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

// tellGuardianReplaced tells a guardian that another took their place.
func (s *service) tellGuardianReplaced(ctx context.Context, tx *sql.Tx, caseID, prevUser, prevOrg, nextUser string) error {
	if prevUser == "" || prevOrg == "" || prevUser == nextUser {
		return nil
	}
	return s.emitNotices(ctx, tx, notice.Notice{ID: event.NewID(), Org: prevOrg, User: prevUser,
		Kind: notice.KindGuardianReplaced, ObjectType: notice.ObjectCase, ObjectID: caseID, CreatedAt: s.now()})
}

// missingRoles are the roles of the owner organisation that work a case.
var missingRoles = []string{auth.RoleFrontlineOfficer, auth.RoleNGOCaseworker}

// tellMissing raises a missing-person alert: to the case workers of the
// owner organisation and to the national desk.
func (s *service) tellMissing(ctx context.Context, tx *sql.Tx, c store.CaseRow) error {
	now := s.now()
	ns := []notice.Notice{{ID: event.NewID(), Role: notice.RoleNationalDesk, Kind: notice.KindPersonMissing,
		ObjectType: notice.ObjectCase, ObjectID: c.ID, CreatedAt: now}}
	for _, r := range missingRoles {
		ns = append(ns, notice.Notice{ID: event.NewID(), Org: c.OwnerOrg, Role: r, Kind: notice.KindPersonMissing,
			ObjectType: notice.ObjectCase, ObjectID: c.ID, CreatedAt: now})
	}
	return s.emitNotices(ctx, tx, ns...)
}

// decisionOrgs are the organisations deciding a case: those holding an
// active decision grant for it (whose decision makers see it queued).
func (s *service) decisionOrgs(ctx context.Context, tx *sql.Tx, caseID string) ([]string, error) {
	return s.store.DecisionOrgs(ctx, tx, caseID)
}

// tellDecisionMakers tells the decision makers of every deciding
// organisation of a deadline. The notice id is derived from the case,
// organisation, kind, track, date and threshold, so that telling twice
// gives one notice.
func (s *service) tellDecisionMakers(ctx context.Context, tx *sql.Tx, caseID, kind, track, due, threshold string) error {
	orgs, err := s.decisionOrgs(ctx, tx, caseID)
	if err != nil {
		return err
	}
	ns := make([]notice.Notice, 0, len(orgs))
	for _, org := range orgs {
		ns = append(ns, notice.Notice{ID: notice.ID(kind, caseID, org, track, due, threshold), Org: org,
			Role: auth.RoleDecisionMaker, Kind: kind, Detail: track, ObjectType: notice.ObjectCase, ObjectID: caseID,
			Due: due, CreatedAt: s.now()})
	}
	return s.emitNotices(ctx, tx, ns...)
}

// tellOverdue tells the deciding organisations that a case's
// reasonable-grounds decision is past its target date.
func (s *service) tellOverdue(ctx context.Context, tx *sql.Tx, caseID string) error {
	due, err := s.store.RGDue(ctx, tx, caseID)
	if err != nil {
		return err
	}
	return s.tellDecisionMakers(ctx, tx, caseID, notice.KindDecisionOverdue, "rg", due, "overdue")
}

// DueSoonDays is how many days before a decision's target date its
// decision makers are first told; they are told again on the day.
const DueSoonDays = 2

// dueThreshold names the threshold a date has reached, or "" when none.
func dueThreshold(due, today string) string {
	d, err1 := time.Parse(time.DateOnly, due)
	t, err2 := time.Parse(time.DateOnly, today)
	if err1 != nil || err2 != nil {
		return ""
	}
	switch left := int(d.Sub(t).Hours() / 24); {
	case left < 0 || left > DueSoonDays:
		return ""
	case left == 0:
		return "d0"
	default:
		return fmt.Sprintf("d%d", DueSoonDays)
	}
}

// NotifyDeadlines tells decision makers of the cases whose
// reasonable-grounds decision (track rg: submitted or awaiting
// information, by rg_due) or conclusive-grounds decision (track cg: the
// reflection period ends) is near: DueSoonDays before and on the day,
// once per case, date and threshold, whatever the number of replicas or
// runs (the threshold is recorded with the notices, in one transaction).
// nrm serve runs it every few minutes; it returns how many it told of.
func (a *Admin) NotifyDeadlines(ctx context.Context, now time.Time) (int, error) {
	s := a.s
	ctx = auth.WithPrincipal(ctx, auth.ServicePrincipal("intake"))
	today := now.UTC().Format(time.DateOnly)
	until := now.UTC().AddDate(0, 0, DueSoonDays).Format(time.DateOnly)
	list, err := s.store.DueBetween(ctx, today, until)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, d := range list {
		th := dueThreshold(d.Date, today)
		if th == "" {
			continue
		}
		told := false
		err := s.db.Tx(ctx, func(tx *sql.Tx) error {
			first, err := s.store.MarkDeadlineTold(ctx, tx, d, th, now.UTC())
			if err != nil || !first {
				return err // told already, by this run or another replica
			}
			told = true
			return s.tellDecisionMakers(ctx, tx, d.CaseID, notice.KindDecisionDueSoon, d.Track, d.Date, th)
		})
		if err != nil {
			return n, err
		}
		if told {
			n++
		}
	}
	return n, nil
}
