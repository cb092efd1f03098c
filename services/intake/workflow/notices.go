package workflow

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/facts"
	"github.com/nrm-project/nrm/pkg/notice"
	"github.com/nrm-project/nrm/services/intake/store"
)

// The workflow's notices: a missing person, a guardian replaced, and the
// decision makers' deadlines. They leave through intake's outbox
// (Casework.Notify), in the transaction of what they tell of.

// tellGuardianReplaced tells a guardian that another took their place.
func (tr *Tracks) tellGuardianReplaced(ctx context.Context, tx *sql.Tx, caseID, prevUser, prevOrg, nextUser string) error {
	if prevUser == "" || prevOrg == "" || prevUser == nextUser {
		return nil
	}
	return tr.cw.Notify(ctx, tx, notice.Notice{ID: event.NewID(), Org: prevOrg, User: prevUser,
		Kind: notice.KindGuardianReplaced, ObjectType: notice.ObjectCase, ObjectID: caseID, CreatedAt: tr.now()})
}

// missingRoles are the roles of the owner organisation that work a case.
var missingRoles = []string{auth.RoleFrontlineOfficer, auth.RoleNGOCaseworker}

// tellMissing raises a missing-person alert: to the case workers of the
// owner organisation and to the national desk.
func (tr *Tracks) tellMissing(ctx context.Context, tx *sql.Tx, c store.CaseRow) error {
	now := tr.now()
	ns := []notice.Notice{{ID: event.NewID(), Role: notice.RoleNationalDesk, Kind: notice.KindPersonMissing,
		ObjectType: notice.ObjectCase, ObjectID: c.ID, CreatedAt: now}}
	for _, r := range missingRoles {
		ns = append(ns, notice.Notice{ID: event.NewID(), Org: c.OwnerOrg, Role: r, Kind: notice.KindPersonMissing,
			ObjectType: notice.ObjectCase, ObjectID: c.ID, CreatedAt: now})
	}
	return tr.cw.Notify(ctx, tx, ns...)
}

// tellDecisionMakers tells the decision makers of every deciding
// organisation (those holding an active decision grant for the case) of a
// deadline. The notice id is derived from the case, organisation, kind,
// track, date and threshold, so that telling twice gives one notice.
func (tr *Tracks) tellDecisionMakers(ctx context.Context, tx *sql.Tx, caseID, kind, track, due, threshold string) error {
	orgs, err := tr.store.DecisionOrgs(ctx, tx, caseID)
	if err != nil {
		return err
	}
	ns := make([]notice.Notice, 0, len(orgs))
	for _, org := range orgs {
		ns = append(ns, notice.Notice{ID: notice.ID(kind, caseID, org, track, due, threshold), Org: org,
			Role: auth.RoleDecisionMaker, Kind: kind, Detail: track, ObjectType: notice.ObjectCase, ObjectID: caseID,
			Due: due, CreatedAt: tr.now()})
	}
	return tr.cw.Notify(ctx, tx, ns...)
}

// tellOverdue tells the deciding organisations that a case's
// reasonable-grounds decision is past its target date.
func (tr *Tracks) tellOverdue(ctx context.Context, tx *sql.Tx, caseID string) error {
	due, err := tr.store.RGDue(ctx, tx, caseID)
	if err != nil {
		return err
	}
	return tr.tellDecisionMakers(ctx, tx, caseID, notice.KindDecisionOverdue, "rg", due, "overdue")
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
// It returns how many it told of.
func (tr *Tracks) NotifyDeadlines(ctx context.Context, now time.Time) (int, error) {
	ctx = auth.WithPrincipal(ctx, auth.ServicePrincipal("intake"))
	today := now.UTC().Format(time.DateOnly)
	until := now.UTC().AddDate(0, 0, DueSoonDays).Format(time.DateOnly)
	list, err := tr.store.DueBetween(ctx, today, until)
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
		err := tr.db.Tx(ctx, func(tx *sql.Tx) error {
			first, err := tr.store.MarkDeadlineTold(ctx, tx, d, th, now.UTC())
			if err != nil || !first {
				return err // told already, by this run or another replica
			}
			told = true
			return tr.tellDecisionMakers(ctx, tx, d.CaseID, notice.KindDecisionDueSoon, d.Track, d.Date, th)
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

// ReportOverdue reports, once each, the cases whose reasonable-grounds
// decision is past its target date (submitted or awaiting information on
// the day after rg_due): a de-identified "overdue" fact for statistics, a
// notice to the deciding organisations and an audit event. It returns how
// many cases it reported.
func (tr *Tracks) ReportOverdue(ctx context.Context, now time.Time) (int, error) {
	ctx = auth.WithPrincipal(ctx, auth.ServicePrincipal("intake"))
	today := now.UTC().Format(time.DateOnly)
	ids, err := tr.store.OverdueCases(ctx, today)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		reported := false
		err := tr.db.Tx(ctx, func(tx *sql.Tx) error {
			first, err := tr.store.MarkOverdueReported(ctx, tx, id)
			if err != nil || !first {
				return err // another replica reported it
			}
			c, err := tr.store.CaseByID(ctx, tx, id, false)
			if err != nil {
				return err
			}
			f := tr.cw.Fact(facts.Overdue, c)
			f.Outcome = "rg_overdue"
			reported = true
			if err := tr.tellOverdue(ctx, tx, id); err != nil {
				return err
			}
			return tr.cw.Emit(ctx, tx, []facts.Event{f},
				tr.rec.New(ctx, "intake.decision.overdue", "case", id, event.Allowed))
		})
		if err != nil {
			return n, err
		}
		if reported {
			n++
		}
	}
	return n, nil
}
