package identity

import (
	"context"
	"time"
)

// The account methods of the logging and instrumenting middlewares.

func (m *logging) BeginEnrolment(ctx context.Context, r EnrolmentRequest) (e Enrolment, err error) {
	defer func(b time.Time) { m.done(ctx, "BeginEnrolment", b, err) }(time.Now())
	return m.next.BeginEnrolment(ctx, r)
}

func (m *logging) ChangePassword(ctx context.Context, r PasswordChange) (err error) {
	defer func(b time.Time) { m.done(ctx, "ChangePassword", b, err) }(time.Now())
	return m.next.ChangePassword(ctx, r)
}

func (m *logging) StartTOTPReenrolment(ctx context.Context, otp string) (e Enrolment, err error) {
	defer func(b time.Time) { m.done(ctx, "StartTOTPReenrolment", b, err) }(time.Now())
	return m.next.StartTOTPReenrolment(ctx, otp)
}

func (m *logging) ConfirmTOTP(ctx context.Context, otp string) (err error) {
	defer func(b time.Time) { m.done(ctx, "ConfirmTOTP", b, err) }(time.Now())
	return m.next.ConfirmTOTP(ctx, otp)
}

func (m *logging) ListSessions(ctx context.Context) (ss []Session, err error) {
	defer func(b time.Time) { m.done(ctx, "ListSessions", b, err) }(time.Now())
	return m.next.ListSessions(ctx)
}

func (m *logging) EndSession(ctx context.Context, id string) (err error) {
	defer func(b time.Time) { m.done(ctx, "EndSession", b, err) }(time.Now())
	return m.next.EndSession(ctx, id)
}

func (m *logging) ResetSecondFactor(ctx context.Context, userID string) (err error) {
	defer func(b time.Time) { m.done(ctx, "ResetSecondFactor", b, err) }(time.Now())
	return m.next.ResetSecondFactor(ctx, userID)
}

func (m *logging) EnableUser(ctx context.Context, userID string) (err error) {
	defer func(b time.Time) { m.done(ctx, "EnableUser", b, err) }(time.Now())
	return m.next.EnableUser(ctx, userID)
}

func (m *logging) IssuePasswordReset(ctx context.Context, userID string) (r PasswordReset, err error) {
	defer func(b time.Time) { m.done(ctx, "IssuePasswordReset", b, err) }(time.Now())
	return m.next.IssuePasswordReset(ctx, userID)
}

func (m *logging) ResetPassword(ctx context.Context, r PasswordResetRequest) (err error) {
	defer func(b time.Time) { m.done(ctx, "ResetPassword", b, err) }(time.Now())
	return m.next.ResetPassword(ctx, r)
}

func (m *instrumenting) BeginEnrolment(ctx context.Context, r EnrolmentRequest) (e Enrolment, err error) {
	defer func(b time.Time) { m.done("BeginEnrolment", b, err) }(time.Now())
	return m.next.BeginEnrolment(ctx, r)
}

func (m *instrumenting) ChangePassword(ctx context.Context, r PasswordChange) (err error) {
	defer func(b time.Time) { m.done("ChangePassword", b, err) }(time.Now())
	return m.next.ChangePassword(ctx, r)
}

func (m *instrumenting) StartTOTPReenrolment(ctx context.Context, otp string) (e Enrolment, err error) {
	defer func(b time.Time) { m.done("StartTOTPReenrolment", b, err) }(time.Now())
	return m.next.StartTOTPReenrolment(ctx, otp)
}

func (m *instrumenting) ConfirmTOTP(ctx context.Context, otp string) (err error) {
	defer func(b time.Time) { m.done("ConfirmTOTP", b, err) }(time.Now())
	return m.next.ConfirmTOTP(ctx, otp)
}

func (m *instrumenting) ListSessions(ctx context.Context) (ss []Session, err error) {
	defer func(b time.Time) { m.done("ListSessions", b, err) }(time.Now())
	return m.next.ListSessions(ctx)
}

func (m *instrumenting) EndSession(ctx context.Context, id string) (err error) {
	defer func(b time.Time) { m.done("EndSession", b, err) }(time.Now())
	return m.next.EndSession(ctx, id)
}

func (m *instrumenting) ResetSecondFactor(ctx context.Context, userID string) (err error) {
	defer func(b time.Time) { m.done("ResetSecondFactor", b, err) }(time.Now())
	return m.next.ResetSecondFactor(ctx, userID)
}

func (m *instrumenting) EnableUser(ctx context.Context, userID string) (err error) {
	defer func(b time.Time) { m.done("EnableUser", b, err) }(time.Now())
	return m.next.EnableUser(ctx, userID)
}

func (m *instrumenting) IssuePasswordReset(ctx context.Context, userID string) (r PasswordReset, err error) {
	defer func(b time.Time) { m.done("IssuePasswordReset", b, err) }(time.Now())
	return m.next.IssuePasswordReset(ctx, userID)
}

func (m *instrumenting) ResetPassword(ctx context.Context, r PasswordResetRequest) (err error) {
	defer func(b time.Time) { m.done("ResetPassword", b, err) }(time.Now())
	return m.next.ResetPassword(ctx, r)
}

func (m *logging) IssueEnrolmentTicket(ctx context.Context, userID string) (t EnrolmentTicket, err error) {
	defer func(b time.Time) { m.done(ctx, "IssueEnrolmentTicket", b, err) }(time.Now())
	return m.next.IssueEnrolmentTicket(ctx, userID)
}

func (m *instrumenting) IssueEnrolmentTicket(ctx context.Context, userID string) (t EnrolmentTicket, err error) {
	defer func(b time.Time) { m.done("IssueEnrolmentTicket", b, err) }(time.Now())
	return m.next.IssueEnrolmentTicket(ctx, userID)
}
