package page

import (
	"context"

	"github.com/nrm-project/nrm/services/identity"
)

// Identity is what the pages need of the identity service; identity.Service
// satisfies it.
type Identity interface {
	Login(ctx context.Context, r identity.LoginRequest) (identity.Tokens, error)
	Refresh(ctx context.Context, refreshToken string) (identity.Tokens, error)
	Logout(ctx context.Context) error
	Me(ctx context.Context) (identity.Me, error)
	BeginEnrolment(ctx context.Context, r identity.EnrolmentRequest) (identity.Enrolment, error)
	ChangePassword(ctx context.Context, r identity.PasswordChange) error
	StartTOTPReenrolment(ctx context.Context, otp string) (identity.Enrolment, error)
	ConfirmTOTP(ctx context.Context, otp string) error
}

var _ Identity = identity.Service(nil)
