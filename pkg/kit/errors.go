package kit

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"

	"github.com/nrm-project/nrm/pkg/db/outage"
)

// Stable error codes. Clients and tests outside the project match on these;
// add new ones, never rename.
const (
	CodeInvalidJSON      = "invalid_json"
	CodeUnknownField     = "unknown_field"
	CodeInvalidType      = "invalid_type"
	CodeBodyTooLarge     = "body_too_large"
	CodeUnsupportedMedia = "unsupported_media_type"
	CodeValidation       = "validation_failed"
	CodeUnauthenticated  = "unauthenticated"
	CodeForbidden        = "forbidden"
	CodeNotFound         = "not_found"
	CodeConflict         = "conflict"
	CodeRateLimited      = "rate_limited"
	CodeUnavailable      = "unavailable"
	CodeInternal         = "internal"
	CodeMethodNotAllowed = "method_not_allowed"
	// CodeCommitUnknown: the write was sent to the database but whether it
	// committed is unknown (the connection broke during the commit).
	CodeCommitUnknown = "commit_unknown"
)

// Error is an error a client may see: an HTTP status, a stable code and a
// message that never carries personal data or secrets. Fields names every
// failing field of a request (validation_failed, unknown_field,
// consent_required); Limit and RetryAfter say which rate limit refused a
// request and when to try again.
type Error struct {
	Status     int
	Code       string
	Message    string
	Fields     []FieldError
	Limit      string
	RetryAfter time.Duration
}

// NewError returns an *Error.
func NewError(status int, code, message string) *Error {
	return &Error{Status: status, Code: code, Message: message}
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// WithFields returns a copy of e naming fields.
func (e *Error) WithFields(fields ...FieldError) *Error {
	c := *e
	c.Fields = append(slices.Clone(e.Fields), fields...)
	return &c
}

// Is makes errors.Is match on status and code, so a sentinel such as
// ErrNotFound matches an *Error built elsewhere with the same code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Status == e.Status && t.Code == e.Code
}

// Common errors.
var (
	ErrUnauthenticated = NewError(http.StatusUnauthorized, CodeUnauthenticated, "authentication required")
	ErrForbidden       = NewError(http.StatusForbidden, CodeForbidden, "not allowed")
	ErrNotFound        = NewError(http.StatusNotFound, CodeNotFound, "not found")
	ErrRateLimited     = NewError(http.StatusTooManyRequests, CodeRateLimited, "too many requests, slow down")
	ErrUnavailable     = &Error{Status: http.StatusServiceUnavailable, Code: CodeUnavailable, Message: "service temporarily unavailable", RetryAfter: outage.RetryDown}
	ErrInternal        = NewError(http.StatusInternalServerError, CodeInternal, "internal error")
	// ErrCommitUnknown is a write whose commit was sent and not answered:
	// it may have happened. A retry with the same Idempotency-Key returns
	// its outcome if it did, and carries it out if it did not.
	ErrCommitUnknown = &Error{Status: http.StatusServiceUnavailable, Code: CodeCommitUnknown,
		Message: "the outcome of the write is unknown; retry with the same Idempotency-Key", RetryAfter: time.Second}
)

// Validation returns a 400 validation_failed error with the given message.
// The message must name fields and allowed codes, never echo values. A
// message of the form "path: what is wrong" also names its field in Fields.
func Validation(message string) *Error {
	e := NewError(http.StatusBadRequest, CodeValidation, message)
	if path, msg, ok := strings.Cut(message, ": "); ok && fieldPath.MatchString(path) {
		e.Fields = []FieldError{{Path: path, Code: FieldInvalid, Message: msg}}
	}
	return e
}

// Conflict returns a 409 conflict error.
func Conflict(message string) *Error {
	return NewError(http.StatusConflict, CodeConflict, message)
}

type errorBody struct {
	Error struct {
		Code    string       `json:"code"`
		Message string       `json:"message"`
		Fields  []FieldError `json:"fields,omitempty"`
		// Limit names the rate limit reached; RetryAfter is in seconds
		// (also the Retry-After header).
		Limit      string `json:"limit,omitempty"`
		RetryAfter int    `json:"retry_after,omitempty"`
	} `json:"error"`
}

// Unavailable returns the 503 unavailable error asking for a retry after d.
func Unavailable(d time.Duration) *Error {
	e := *ErrUnavailable
	e.RetryAfter = d
	return &e
}

// AsError maps any error to the *Error a client may see: an *Error in the
// chain is returned as it is, an outage (a database unreachable, full or
// locked past the request's budget: outage.Classify) becomes 503
// unavailable with the wait it suggests, anything else a generic 500.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	if d, ok := outage.Classify(err); ok {
		return Unavailable(d)
	}
	return ErrInternal
}

// WriteError writes err as {"error":{"code","message"}}.
func WriteError(w http.ResponseWriter, err error) {
	e := AsError(err)
	var body errorBody
	body.Error.Code = e.Code
	body.Error.Message = e.Message
	body.Error.Fields = e.Fields
	body.Error.Limit = e.Limit
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if e.Status == http.StatusTooManyRequests || e.RetryAfter > 0 {
		body.Error.RetryAfter = retrySeconds(e.RetryAfter)
		if w.Header().Get("Retry-After") == "" {
			w.Header().Set("Retry-After", strconv.Itoa(body.Error.RetryAfter))
		}
	}
	w.WriteHeader(e.Status)
	_ = json.NewEncoder(w).Encode(body)
}

// ErrorEncoder returns a go-kit ServerErrorEncoder. Outages and unknown
// errors are logged (the log line carries the request id, not the
// request) and answered 503 and with a generic 500; a request whose
// client went away is neither (ClientGone).
func ErrorEncoder(logger log.Logger) func(ctx context.Context, err error, w http.ResponseWriter) {
	return func(ctx context.Context, err error, w http.ResponseWriter) {
		var e *Error
		switch {
		case errors.As(err, &e):
		case ClientGone(ctx, err):
			// Nobody reads the answer; 503 in case a proxy still does.
			level.Debug(logger).Log("msg", "request abandoned by its client", "request_id", RequestID(ctx))
			err = Unavailable(time.Second)
		case outage.Is(err):
			level.Warn(logger).Log("msg", "request failed: unavailable", "request_id", RequestID(ctx), "err", err)
		default:
			level.Error(logger).Log("msg", "request failed", "request_id", RequestID(ctx), "err", err)
		}
		WriteError(w, err)
	}
}

// DecodeErrorBody reads an error body written by WriteError, for HTTP
// clients that must return the same *Error the server had.
func DecodeErrorBody(status int, body []byte) *Error {
	var b errorBody
	if err := json.Unmarshal(body, &b); err != nil || b.Error.Code == "" {
		return NewError(status, CodeInternal, http.StatusText(status))
	}
	e := NewError(status, b.Error.Code, b.Error.Message)
	e.Fields, e.Limit = b.Error.Fields, b.Error.Limit
	e.RetryAfter = time.Duration(b.Error.RetryAfter) * time.Second
	return e
}
