package contract

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// /api/v1 only grows: the current document breaks no client written
// against the released one. A breaking change needs /api/v2.
func TestNoBreakingChangeSinceRelease(t *testing.T) {
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	changes, err := Breaking(filepath.Join(root, BaselinePath), filepath.Join(root, SpecPath))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range changes {
		t.Errorf("breaking change to /api/v1: %s", c)
	}
}

// The check catches deliberate breaks, and lets an addition through.
func TestBreakingCatchesABreak(t *testing.T) {
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	spec, err := os.ReadFile(filepath.Join(root, SpecPath))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, old, new string
		breaking       bool
	}{
		{"an operation removed", "\n  /api/v1/referrals/{id}/left:\n", "\n  /api/v1/referrals/{id}/gone:\n", true},
		{"an optional request field made required", "required: [org_id, email, roles, password]", "required: [org_id, email, roles, password, display_name]", true},
		{"a response field removed", "        registered_by: {type: string}\n", "", true},
		{"an enum value removed from a request", "enum: [emergency, high, normal]", "enum: [emergency, high]", true},
		{"a summary reworded", "summary: The person arrived.", "summary: The person has arrived.", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !strings.Contains(string(spec), c.old) {
				t.Fatalf("the document no longer holds %q", c.old)
			}
			changed := filepath.Join(t.TempDir(), "openapi.yaml")
			if err := os.WriteFile(changed, []byte(strings.Replace(string(spec), c.old, c.new, 1)), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := Breaking(filepath.Join(root, SpecPath), changed)
			if err != nil {
				t.Fatal(err)
			}
			if (len(got) > 0) != c.breaking {
				t.Errorf("breaking changes %q, want breaking=%v", got, c.breaking)
			}
		})
	}
}
