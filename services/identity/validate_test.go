package identity_test

import (
	"strings"
	"testing"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/identity"
	"github.com/nrm-project/nrm/services/identity/identitytest"
)

// TestLookAlikeNamesRefused: names and addresses that display as another
// (bidirectional overrides), hide characters (zero-width) or mix scripts
// in the address's local part are refused, naming the field; ordinary
// names in any one script are kept.
func TestLookAlikeNamesRefused(t *testing.T) {
	t.Parallel()
	env := identitytest.New(t, dbtest.SQLite(t))
	o := env.Org(t, "Police", "police")
	tests := []struct {
		name, email, display string
		field                string // "" when accepted
	}{
		{"Latin", "amina.benali@example.org", "Amina Benali", ""},
		{"Arabic name", "amina@example.org", "أمينة بن علي", ""},
		{"Cyrillic address", "олег@example.org", "Олег", ""},
		{"right-to-left override in name", "a1@example.org", "Admin\u202Egnp.exe", "display_name"},
		{"left-to-right mark in name", "a2@example.org", "Amina\u200E", "display_name"},
		{"zero-width space in name", "a3@example.org", "Ami\u200Bna", "display_name"},
		{"zero-width joiner in address", "ami\u200Dna@example.org", "Amina", "email"},
		{"byte order mark in address", "\uFEFFamina@example.org", "Amina", "email"},
		{"Cyrillic а in a Latin address", "p\u0430ypal@example.org", "Paypal", "email"},
		{"Greek ο in a Latin address", "ad\u03BFmin@example.org", "Admin", "email"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := env.Service.CreateUser(identitytest.System(), identity.NewUser{
				OrgID: o.ID, Email: tc.email, DisplayName: tc.display, Roles: []string{auth.RoleFrontlineOfficer}, Password: identitytest.Password,
			})
			if tc.field == "" {
				if err != nil {
					t.Fatalf("case %d refused: %v", i, err)
				}
				return
			}
			e := kit.AsError(err)
			if e.Code != kit.CodeValidation || !strings.HasPrefix(e.Message, tc.field+" ") {
				t.Fatalf("err = %v, want validation_failed naming %s", err, tc.field)
			}
		})
	}
	t.Run("organisation name", func(t *testing.T) {
		_, err := env.Service.CreateOrg(identitytest.System(), identity.NewOrg{Name: "Shelter\u202E", Kind: "ngo"})
		if e := kit.AsError(err); e.Code != kit.CodeValidation || !strings.HasPrefix(e.Message, "name ") {
			t.Fatalf("err = %v", err)
		}
	})
}
