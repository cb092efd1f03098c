package identity

import "time"

// The types below are agreed with the web pages for the enrolment and
// account methods being added to Service; the web package codes against
// them. They are declared here until those methods land.

// EnrolmentRequest asks for the pending TOTP secret of a user whose second
// factor is not yet confirmed.
type EnrolmentRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// Enrolment is a pending TOTP secret, as a URI and a QR code.
type Enrolment struct {
	OTPAuthURI string    `json:"otpauth_uri"`
	QRPNG      []byte    `json:"qr_png"`
	ExpiresAt  time.Time `json:"expires_at"`
}

// PasswordChange changes the signed-in user's password.
type PasswordChange struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
	OTP             string `json:"otp"`
}
