package identity

import (
	"context"
	"net/http"
	"strconv"

	"github.com/go-kit/kit/endpoint"
	httptransport "github.com/go-kit/kit/transport/http"
	"github.com/go-kit/log"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/kit"
)

// MakeHTTPHandler returns the public HTTP API of the identity service.
func MakeHTTPHandler(e Endpoints, logger log.Logger) http.Handler {
	opts := kit.ServerOptions(logger, auth.TokenToContext)
	mux := http.NewServeMux()
	handle := func(pattern string, ep endpoint.Endpoint, dec httptransport.DecodeRequestFunc, status int) {
		mux.Handle(pattern, httptransport.NewServer(ep, dec, kit.EncodeJSON(status, logger), opts...))
	}
	handle("POST /api/v1/auth/login", e.Login, decodeLoginRequest, http.StatusOK)
	handle("POST /api/v1/auth/refresh", e.Refresh, decodeRefreshRequest, http.StatusOK)
	handle("POST /api/v1/auth/logout", e.Logout, decodeEmptyRequest, http.StatusNoContent)
	handle("GET /api/v1/auth/keys", e.PublicKeys, decodeEmptyRequest, http.StatusOK)
	handle("GET /api/v1/me", e.Me, decodeEmptyRequest, http.StatusOK)
	handle("POST /api/v1/orgs", e.CreateOrg, decodeCreateOrgRequest, http.StatusCreated)
	handle("GET /api/v1/orgs", e.ListOrgs, decodeEmptyRequest, http.StatusOK)
	handle("POST /api/v1/users", e.CreateUser, decodeCreateUserRequest, http.StatusCreated)
	handle("GET /api/v1/users", e.ListUsers, decodeListUsersRequest, http.StatusOK)
	handle("POST /api/v1/users/{id}/disable", e.DisableUser, decodeDisableUserRequest, http.StatusNoContent)
	handle("POST /api/v1/users/{id}/enable", e.EnableUser, decodeIDRequest, http.StatusNoContent)
	handle("POST /api/v1/users/{id}/totp/reset", e.ResetSecondFactor, decodeIDRequest, http.StatusNoContent)
	handle("POST /api/v1/users/{id}/password-reset", e.IssuePasswordReset, decodeIDRequest, http.StatusOK)
	handle("POST /api/v1/users/{id}/enrolment-ticket", e.IssueEnrolmentTicket, decodeIDRequest, http.StatusOK)
	handle("POST /api/v1/auth/enrolment", e.BeginEnrolment, decodeJSON[EnrolmentRequest], http.StatusOK)
	handle("POST /api/v1/auth/password-reset", e.ResetPassword, decodeJSON[PasswordResetRequest], http.StatusNoContent)
	handle("POST /api/v1/me/password", e.ChangePassword, decodeJSON[PasswordChange], http.StatusNoContent)
	handle("POST /api/v1/me/totp", e.StartTOTPReenrolment, decodeJSON[otpRequest], http.StatusOK)
	handle("POST /api/v1/me/totp/confirm", e.ConfirmTOTP, decodeJSON[otpRequest], http.StatusNoContent)
	handle("GET /api/v1/me/sessions", e.ListSessions, decodeEmptyRequest, http.StatusOK)
	handle("DELETE /api/v1/me/sessions/{id}", e.EndSession, decodeIDRequest, http.StatusNoContent)
	return kit.JSONErrors(mux)
}

// MakeInternalHandler returns the service-to-service API (the revocation
// feed), served only when services run split, behind mutual TLS.
func MakeInternalHandler(e Endpoints, logger log.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /internal/v1/identity/revocations",
		httptransport.NewServer(e.RevokedSessions, decodeRevocationsRequest, kit.EncodeJSON(http.StatusOK, logger), kit.ServerOptions(logger, auth.TokenToContext)...))
	return kit.JSONErrors(mux)
}

// The decoders take the body through kit.DecodeJSON: one object, known
// fields, right types, at most kit.MaxBodyBytes.

func decodeLoginRequest(_ context.Context, r *http.Request) (any, error) {
	var req LoginRequest
	if err := kit.DecodeJSON(nil, r, &req); err != nil {
		return nil, err
	}
	return req, nil
}

func decodeRefreshRequest(_ context.Context, r *http.Request) (any, error) {
	var req refreshRequest
	if err := kit.DecodeJSON(nil, r, &req); err != nil {
		return nil, err
	}
	return req, nil
}

func decodeCreateOrgRequest(_ context.Context, r *http.Request) (any, error) {
	var req NewOrg
	if err := kit.DecodeJSON(nil, r, &req); err != nil {
		return nil, err
	}
	return req, nil
}

func decodeCreateUserRequest(_ context.Context, r *http.Request) (any, error) {
	var req NewUser
	if err := kit.DecodeJSON(nil, r, &req); err != nil {
		return nil, err
	}
	return req, nil
}

// decodeJSON decodes a body of type T.
func decodeJSON[T any](_ context.Context, r *http.Request) (any, error) {
	var req T
	if err := kit.DecodeJSON(nil, r, &req); err != nil {
		return nil, err
	}
	return req, nil
}

func decodeIDRequest(_ context.Context, r *http.Request) (any, error) {
	return idRequest{ID: r.PathValue("id")}, nil
}

func decodeEmptyRequest(context.Context, *http.Request) (any, error) { return nil, nil }

func decodeListUsersRequest(_ context.Context, r *http.Request) (any, error) {
	return listUsersRequest{OrgID: r.URL.Query().Get("org_id")}, nil
}

func decodeDisableUserRequest(_ context.Context, r *http.Request) (any, error) {
	return disableUserRequest{ID: r.PathValue("id")}, nil
}

func decodeRevocationsRequest(_ context.Context, r *http.Request) (any, error) {
	q := r.URL.Query().Get("since")
	if q == "" {
		return revocationsRequest{}, nil
	}
	since, err := strconv.ParseInt(q, 10, 64)
	if err != nil || since < 0 {
		return nil, kit.Validation("since must be a non-negative integer")
	}
	return revocationsRequest{Since: since}, nil
}
