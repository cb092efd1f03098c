package referral

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
)

// goType matches what a Go type looks like in a message: a package
// qualifier, a slice or map prefix, or a sized number type.
var goType = regexp.MustCompile(`\[\]|map\[|\b[a-z]+\.[A-Z]\w*|\b(u?int|float)(8|16|32|64)\b|\binterface \{`)

// TestProviderErrorsNameFieldsNotGoTypes: a provider entry with a value of
// the wrong JSON type is answered with the field's path and the JSON type
// it needs, never a Go type such as referral.ServicePlaces.
func TestProviderErrorsNameFieldsNotGoTypes(t *testing.T) {
	t.Parallel()
	ev := newEnv(t, dbtest.SQLite(t))
	org := event.NewID()
	srv := ev.server(t, tokens{"admin": {UserID: event.NewID(), OrgID: org, Roles: []string{auth.RoleOrgAdmin}}})
	cases := []struct {
		name  string
		body  string
		field string
		want  string
	}{
		{"service as a number", `{"services":[1]}`, "services", "object"},
		{"services as a string", `{"services":"shelter"}`, "services", "array|list"},
		{"places as a string", `{"services":[{"service":"shelter","places":"3"}]}`, "services.places", "integer"},
		{"regions as a string", `{"regions":"MA-06"}`, "regions", "array|list"},
		{"active as a string", `{"active":"yes"}`, "active", "boolean|true or false"},
		{"name as a number", `{"name":5}`, "name", "string"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("PUT", srv.URL+"/api/v1/providers/"+org, strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer admin")
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body struct {
				Error struct{ Code, Message string } `json:"error"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
			msg := body.Error.Message
			if resp.StatusCode != http.StatusBadRequest || body.Error.Code != "invalid_type" {
				t.Fatalf("%d %s: %s", resp.StatusCode, body.Error.Code, msg)
			}
			if goType.MatchString(msg) || strings.Contains(msg, "ServicePlaces") {
				t.Fatalf("the message names a Go type: %s", msg)
			}
			if !namesField(msg, tc.field) || !regexp.MustCompile(tc.want).MatchString(msg) {
				t.Fatalf("message %q does not name field %q and type %q", msg, tc.field, tc.want)
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
