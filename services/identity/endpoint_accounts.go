package identity

import (
	"context"

	"github.com/go-kit/kit/endpoint"
)

// accountEndpoints are the account endpoints, wired by
// MakeServerEndpoints.
type accountEndpoints struct {
	BeginEnrolment       endpoint.Endpoint
	ChangePassword       endpoint.Endpoint
	StartTOTPReenrolment endpoint.Endpoint
	ConfirmTOTP          endpoint.Endpoint
	ListSessions         endpoint.Endpoint
	EndSession           endpoint.Endpoint
	ResetSecondFactor    endpoint.Endpoint
	EnableUser           endpoint.Endpoint
	IssuePasswordReset   endpoint.Endpoint
	ResetPassword        endpoint.Endpoint
	IssueEnrolmentTicket endpoint.Endpoint
}

type ticketResponse struct {
	EnrolmentTicket
	Err error `json:"-"`
}

func (r ticketResponse) Failed() error { return r.Err }

type enrolmentResponse struct {
	Enrolment
	Err error `json:"-"`
}

func (r enrolmentResponse) Failed() error { return r.Err }

type otpRequest struct {
	OTP string `json:"otp"`
}

type idRequest struct {
	ID string
}

type sessionsResponse struct {
	Sessions []Session `json:"sessions"`
	Err      error     `json:"-"`
}

func (r sessionsResponse) Failed() error { return r.Err }

type passwordResetResponse struct {
	PasswordReset
	Err error `json:"-"`
}

func (r passwordResetResponse) Failed() error { return r.Err }

func makeAccountEndpoints(s Service, authn endpoint.Middleware, guard func(object, action string, e endpoint.Endpoint) endpoint.Endpoint) accountEndpoints {
	return accountEndpoints{
		BeginEnrolment: func(ctx context.Context, request any) (any, error) {
			e, err := s.BeginEnrolment(ctx, request.(EnrolmentRequest))
			return enrolmentResponse{Enrolment: e, Err: err}, nil
		},
		ChangePassword: authn(func(ctx context.Context, request any) (any, error) {
			return emptyResponse{Err: s.ChangePassword(ctx, request.(PasswordChange))}, nil
		}),
		StartTOTPReenrolment: authn(func(ctx context.Context, request any) (any, error) {
			e, err := s.StartTOTPReenrolment(ctx, request.(otpRequest).OTP)
			return enrolmentResponse{Enrolment: e, Err: err}, nil
		}),
		ConfirmTOTP: authn(func(ctx context.Context, request any) (any, error) {
			return emptyResponse{Err: s.ConfirmTOTP(ctx, request.(otpRequest).OTP)}, nil
		}),
		ListSessions: authn(func(ctx context.Context, _ any) (any, error) {
			ss, err := s.ListSessions(ctx)
			return sessionsResponse{Sessions: ss, Err: err}, nil
		}),
		EndSession: authn(func(ctx context.Context, request any) (any, error) {
			return emptyResponse{Err: s.EndSession(ctx, request.(idRequest).ID)}, nil
		}),
		ResetSecondFactor: guard(ObjectUsers, "reset_second_factor", func(ctx context.Context, request any) (any, error) {
			return emptyResponse{Err: s.ResetSecondFactor(ctx, request.(idRequest).ID)}, nil
		}),
		EnableUser: guard(ObjectUsers, "enable", func(ctx context.Context, request any) (any, error) {
			return emptyResponse{Err: s.EnableUser(ctx, request.(idRequest).ID)}, nil
		}),
		IssuePasswordReset: guard(ObjectUsers, "issue_password_reset", func(ctx context.Context, request any) (any, error) {
			r, err := s.IssuePasswordReset(ctx, request.(idRequest).ID)
			return passwordResetResponse{PasswordReset: r, Err: err}, nil
		}),
		ResetPassword: func(ctx context.Context, request any) (any, error) {
			return emptyResponse{Err: s.ResetPassword(ctx, request.(PasswordResetRequest))}, nil
		},
		IssueEnrolmentTicket: guard(ObjectUsers, "issue_enrolment_ticket", func(ctx context.Context, request any) (any, error) {
			t, err := s.IssueEnrolmentTicket(ctx, request.(idRequest).ID)
			return ticketResponse{EnrolmentTicket: t, Err: err}, nil
		}),
	}
}

var (
	_ endpoint.Failer = enrolmentResponse{}
	_ endpoint.Failer = sessionsResponse{}
	_ endpoint.Failer = passwordResetResponse{}
	_ endpoint.Failer = ticketResponse{}
)
