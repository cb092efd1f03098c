package intake

import (
	"context"
	"time"

	"github.com/nrm-project/nrm/services/intake/workflow"
)

// Workflows is the part of Service that moves a case: the decision and
// support tracks, the case record, the children's rules and the route
// change. The workflow
// service (package workflow) implements it; its names are re-exported
// here so that callers keep one import.
type Workflows = workflow.Service

// RouteChange is the body of a move onto the NRM route.
type RouteChange = workflow.RouteChange

// Codes, errors and lists of the workflow.
const (
	CodeSecondDecisionMaker = workflow.CodeSecondDecisionMaker
	CodeReflectionPeriod    = workflow.CodeReflectionPeriod
	CodeReconsiderClosed    = workflow.CodeReconsiderClosed
	CodeChildNoWithdrawal   = workflow.CodeChildNoWithdrawal
	CodeBestInterests       = workflow.CodeBestInterests
	CodeEarlyNotAllowed     = workflow.CodeEarlyNotAllowed
	CodeEarlyRequestMissing = workflow.CodeEarlyRequestMissing
	MaxAttachmentBytes      = workflow.MaxAttachmentBytes
	DueSoonDays             = workflow.DueSoonDays
)

var (
	ErrSecondDecisionMaker = workflow.ErrSecondDecisionMaker
	ErrReflectionPeriod    = workflow.ErrReflectionPeriod
	ErrReconsiderClosed    = workflow.ErrReconsiderClosed
	ErrChildNoWithdrawal   = workflow.ErrChildNoWithdrawal
	ErrBestInterests       = workflow.ErrBestInterests
	ErrEarlyNotAllowed     = workflow.ErrEarlyNotAllowed
	ErrEarlyRequestMissing = workflow.ErrEarlyRequestMissing
	DecisionStates         = workflow.DecisionStates
	SupportTargets         = workflow.SupportTargets
)

// ReportOverdue reports, once each, the cases whose reasonable-grounds
// decision is past its target date (workflow.Tracks.ReportOverdue). nrm
// serve runs it every few minutes; it returns how many cases it reported.
func (a *Admin) ReportOverdue(ctx context.Context, now time.Time) (int, error) {
	return a.s.Tracks.ReportOverdue(ctx, now)
}

// NotifyDeadlines tells decision makers of the decisions whose target date
// is near, once per case, date and threshold
// (workflow.Tracks.NotifyDeadlines). nrm serve runs it every few minutes;
// it returns how many it told of.
func (a *Admin) NotifyDeadlines(ctx context.Context, now time.Time) (int, error) {
	return a.s.Tracks.NotifyDeadlines(ctx, now)
}
