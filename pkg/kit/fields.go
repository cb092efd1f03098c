package kit

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// Codes of one failing field (FieldError.Code). Add new ones, never rename.
const (
	FieldRequired = "required"
	FieldInvalid  = "invalid"
	FieldNotOneOf = "not_one_of"
	FieldTooLong  = "too_long"
	FieldUnknown  = "unknown_field"
	FieldType     = "invalid_type"
)

// FieldError is one failing field of a request: its JSON path
// ("identity.full_name", "nationalities[2]"), a stable code and a message
// a person can act on. Never the value.
type FieldError struct {
	Path    string `json:"path"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// fieldPath is the shape of a JSON path in a message ("consent.share_with",
// "nationalities[2]").
var fieldPath = regexp.MustCompile(`^[a-z][a-z0-9_]*(\[[0-9]+\])?(\.[a-z][a-z0-9_]*(\[[0-9]+\])?)*$`)

// Fields collects every failing field of a request, so that a client
// learns of all of them at once rather than one per attempt.
type Fields []FieldError

// Add records a failing field.
func (f *Fields) Add(path, code, message string) {
	*f = append(*f, FieldError{Path: path, Code: code, Message: message})
}

// Merge records the fields of err when it is a validation error, and
// reports whether it was one.
func (f *Fields) Merge(err error) bool {
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeValidation {
		return false
	}
	if len(e.Fields) == 0 {
		f.Add("", FieldInvalid, e.Message)
		return true
	}
	*f = append(*f, e.Fields...)
	return true
}

// Err returns nil when no field failed, else a 400 validation_failed
// naming every field.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return ValidationFields(f...)
}

// ValidationFields returns a 400 validation_failed error naming fields.
func ValidationFields(fields ...FieldError) *Error {
	paths := make([]string, 0, len(fields))
	for _, fe := range fields {
		if fe.Path != "" {
			paths = append(paths, fe.Path)
		}
	}
	msg := fields[0].Message
	if fields[0].Path != "" {
		msg = fields[0].Path + ": " + msg
	}
	if len(fields) > 1 {
		msg = fmt.Sprintf("%d fields are invalid: %s", len(fields), strings.Join(paths, ", "))
	}
	e := NewError(http.StatusBadRequest, CodeValidation, msg)
	e.Fields = fields
	return e
}

// RateLimited returns a 429 naming the limit reached and when a retry can
// succeed.
func RateLimited(limit string, retryAfter time.Duration) *Error {
	e := NewError(http.StatusTooManyRequests, CodeRateLimited,
		fmt.Sprintf("the %s limit was reached; retry in %d s", limit, retrySeconds(retryAfter)))
	e.Limit, e.RetryAfter = limit, retryAfter
	return e
}

// retrySeconds rounds a wait up to whole seconds, at least one.
func retrySeconds(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}
