package identity

import (
	"context"
	"time"
)

// The account methods of the observing decorator.

func (m *observed) BeginEnrolment(ctx context.Context, r EnrolmentRequest) (e Enrolment, err error) {
	defer func(begin time.Time) { m.observe(ctx, "BeginEnrolment", begin, err) }(time.Now())
	return m.next.BeginEnrolment(ctx, r)
}

func (m *observed) ChangePassword(ctx context.Context, r PasswordChange) (err error) {
	defer func(begin time.Time) { m.observe(ctx, "ChangePassword", begin, err) }(time.Now())
	return m.next.ChangePassword(ctx, r)
}

func (m *observed) StartTOTPReenrolment(ctx context.Context, otp string) (e Enrolment, err error) {
	defer func(begin time.Time) { m.observe(ctx, "StartTOTPReenrolment", begin, err) }(time.Now())
	return m.next.StartTOTPReenrolment(ctx, otp)
}

func (m *observed) ConfirmTOTP(ctx context.Context, otp string) (err error) {
	defer func(begin time.Time) { m.observe(ctx, "ConfirmTOTP", begin, err) }(time.Now())
	return m.next.ConfirmTOTP(ctx, otp)
}

func (m *observed) ListSessions(ctx context.Context) (ss []Session, err error) {
	defer func(begin time.Time) { m.observe(ctx, "ListSessions", begin, err) }(time.Now())
	return m.next.ListSessions(ctx)
}

func (m *observed) EndSession(ctx context.Context, id string) (err error) {
	defer func(begin time.Time) { m.observe(ctx, "EndSession", begin, err) }(time.Now())
	return m.next.EndSession(ctx, id)
}

func (m *observed) ResetSecondFactor(ctx context.Context, userID string) (err error) {
	defer func(begin time.Time) { m.observe(ctx, "ResetSecondFactor", begin, err) }(time.Now())
	return m.next.ResetSecondFactor(ctx, userID)
}

func (m *observed) EnableUser(ctx context.Context, userID string) (err error) {
	defer func(begin time.Time) { m.observe(ctx, "EnableUser", begin, err) }(time.Now())
	return m.next.EnableUser(ctx, userID)
}

func (m *observed) IssuePasswordReset(ctx context.Context, userID string) (r PasswordReset, err error) {
	defer func(begin time.Time) { m.observe(ctx, "IssuePasswordReset", begin, err) }(time.Now())
	return m.next.IssuePasswordReset(ctx, userID)
}

func (m *observed) ResetPassword(ctx context.Context, r PasswordResetRequest) (err error) {
	defer func(begin time.Time) { m.observe(ctx, "ResetPassword", begin, err) }(time.Now())
	return m.next.ResetPassword(ctx, r)
}

func (m *observed) IssueEnrolmentTicket(ctx context.Context, userID string) (t EnrolmentTicket, err error) {
	defer func(begin time.Time) { m.observe(ctx, "IssueEnrolmentTicket", begin, err) }(time.Now())
	return m.next.IssueEnrolmentTicket(ctx, userID)
}
