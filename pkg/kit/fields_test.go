package kit

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

type nested struct {
	Consent struct {
		Assistance bool `json:"assistance"`
	} `json:"consent"`
	People []struct {
		Name string `json:"name"`
	} `json:"people"`
	Extra map[string]string `json:"extra"`
}

// TestUnknownFieldPath: an unknown field is named by its JSON path, also
// inside nested objects and lists, so a form can show it beside the field.
func TestUnknownFieldPath(t *testing.T) {
	cases := []struct{ name, body, path string }{
		{"top level", `{"role":"admin"}`, "role"},
		{"nested object", `{"consent":{"nrm":true}}`, "consent.nrm"},
		{"list element", `{"people":[{"name":"a"},{"nmae":"b"}]}`, "people[1].nmae"},
		{"map keys are free", `{"extra":{"anything":"x"},"oops":1}`, "oops"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var v nested
			err := DecodeJSONBytes([]byte(tc.body), &v)
			var e *Error
			if !errors.As(err, &e) || e.Code != CodeUnknownField {
				t.Fatalf("error %v, want unknown_field", err)
			}
			if len(e.Fields) != 1 || e.Fields[0].Path != tc.path || e.Fields[0].Code != FieldUnknown {
				t.Fatalf("fields %+v, want one unknown_field at %s", e.Fields, tc.path)
			}
		})
	}
}

// TestErrorBodyFields: every failing field reaches the client, and the
// client's decoding gives back the same error.
func TestErrorBodyFields(t *testing.T) {
	var f Fields
	f.Add("identity.full_name", FieldRequired, "required")
	f.Add("nationalities[1]", FieldNotOneOf, "must be an ISO 3166-1 alpha-2 code")
	rec := httptest.NewRecorder()
	WriteError(rec, f.Err())
	if rec.Code != http.StatusBadRequest {
		t.Fatalf("status %d", rec.Code)
	}
	var body struct {
		Error struct {
			Code   string       `json:"code"`
			Fields []FieldError `json:"fields"`
		} `json:"error"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	if body.Error.Code != CodeValidation || len(body.Error.Fields) != 2 || body.Error.Fields[1].Path != "nationalities[1]" {
		t.Fatalf("body %s", rec.Body.Bytes())
	}
	back := DecodeErrorBody(rec.Code, rec.Body.Bytes())
	if len(back.Fields) != 2 || !errors.Is(back, Validation("x")) {
		t.Fatalf("decoded %+v", back)
	}
	if e := Validation("consent.share_with: each must be an organisation kind"); len(e.Fields) != 1 || e.Fields[0].Path != "consent.share_with" {
		t.Fatalf("a path-prefixed message names its field: %+v", e.Fields)
	}
}

// TestRateLimitedSaysWhichAndWhen: a 429 names its limit and when to retry,
// in the body and in Retry-After.
func TestRateLimitedSaysWhichAndWhen(t *testing.T) {
	clock := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	l := NewLimiter(1.0/60, 2, 10).WithClock(func() time.Time { return clock })
	for range 2 {
		if ok, _ := l.Take("u"); !ok {
			t.Fatal("burst refused")
		}
	}
	ok, wait := l.Take("u")
	if ok || wait != time.Minute {
		t.Fatalf("third take: %v, wait %v; want refused, one minute", ok, wait)
	}
	rec := httptest.NewRecorder()
	WriteError(rec, RateLimited("duplicate_checks", wait))
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") != "60" {
		t.Fatalf("status %d, Retry-After %q", rec.Code, rec.Header().Get("Retry-After"))
	}
	if !bytes.Contains(rec.Body.Bytes(), []byte(`"limit":"duplicate_checks"`)) || !bytes.Contains(rec.Body.Bytes(), []byte(`"retry_after":60`)) {
		t.Fatalf("body %s", rec.Body.Bytes())
	}
	clock = clock.Add(time.Minute)
	if ok, _ := l.Take("u"); !ok {
		t.Fatal("refused after the wait it announced")
	}
}
