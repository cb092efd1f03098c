package kit

import (
	"errors"
	"regexp"
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
		{`{"items":{}}`, "items", "array|list"},
		{`{"items":[7]}`, "items", "object"},
		{`{"items":[{"places":"3"}]}`, "items.places", "integer"},
		{`{"score":"high"}`, "score", "number"},
		{`{"tags":[]}`, "tags", "object"},
		{`{"ok":"yes"}`, "ok", "boolean|true or false"},
	}
	for _, tc := range cases {
		t.Run(tc.body, func(t *testing.T) {
			var v typedBody
			var e *Error
			if err := DecodeJSONBytes([]byte(tc.body), &v); !errors.As(err, &e) || e.Code != CodeInvalidType {
				t.Fatalf("error %v", err)
			}
			if !namesField(e.Message, tc.field) || !regexp.MustCompile(tc.want).MatchString(e.Message) {
				t.Fatalf("message %q does not name field %q and type %q", e.Message, tc.field, tc.want)
			}
			if strings.Contains(e.Message, "kit.") || strings.Contains(e.Message, "[]") {
				t.Fatalf("a Go type in %q", e.Message)
			}
		})
	}
}

// namesField reports whether msg names the field at path, written a.b or
// with list indices (a[0].b).
func namesField(msg, path string) bool {
	re := `"` + strings.ReplaceAll(regexp.QuoteMeta(path), `\.`, `(\[\d+\])?\.`) + `(\[\d+\])?"`
	return regexp.MustCompile(re).MatchString(msg)
}
