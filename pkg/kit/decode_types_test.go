package kit

import (
	"errors"
	"strings"
	"testing"
)

type typedBody struct {
	Items []struct {
		Places int `json:"places"`
	} `json:"items"`
	Score float64           `json:"score"`
	Tags  map[string]string `json:"tags"`
	Ok    *bool             `json:"ok"`
}

// A type mismatch names the field and the JSON type to send, never a Go
// type (no package names, no []T, no int64).
func TestDecodeJSONNamesJSONTypes(t *testing.T) {
	cases := []struct{ body, field, want string }{
		{`{"items":{}}`, "items", "array"},
		{`{"items":[7]}`, "items", "object"},
		{`{"items":[{"places":"3"}]}`, "items.places", "integer"},
		{`{"score":"high"}`, "score", "number"},
		{`{"tags":[]}`, "tags", "object"},
		{`{"ok":"yes"}`, "ok", "boolean"},
	}
	for _, tc := range cases {
		t.Run(tc.body, func(t *testing.T) {
			var v typedBody
			var e *Error
			if err := DecodeJSONBytes([]byte(tc.body), &v); !errors.As(err, &e) || e.Code != CodeInvalidType {
				t.Fatalf("error %v", err)
			}
			want := `field "` + tc.field + `" must be of type ` + tc.want
			if e.Message != want {
				t.Fatalf("message %q, want %q", e.Message, want)
			}
			if strings.Contains(e.Message, "kit.") || strings.Contains(e.Message, "[]") {
				t.Fatalf("a Go type in %q", e.Message)
			}
		})
	}
}
