package audit

import (
	"fmt"
	"strings"
	"testing"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
)

// The schema itself keeps free text out of the log: an insider or a bug
// writing a name, an address or an over-long value into any coded column
// is refused by the database, on both engines.
func TestSchemaRefusesFreeText(t *testing.T) {
	t.Parallel()
	valid := map[string]string{
		"id": "00000000-0000-4000-8000-000000000001", "actor_user": "u-1", "actor_org": "org:1/a.b_c-d",
		"actor_role": "frontline_officer", "action": "intake.case.read", "object_type": "case",
		"object_id": "6f1c2a3b-0000-4000-8000-000000000000", "request_id": "req-1",
		"client_hash": strings.Repeat("0a", 32), "source": "intake",
	}
	cases := []struct {
		column, value string
		ok            bool
	}{
		{"", "", true},
		{"id", "00000000-0000-4000-8000-00000000001", false},   // 35 characters
		{"id", "00000000-0000-4000-8000-0000000000011", false}, // 37
		{"id", "00000000-0000-4000-8000-00000000000 ", false},
		{"actor_user", strings.Repeat("u", 128), true},
		{"actor_user", strings.Repeat("u", 129), false},
		{"actor_org", "Amina Benali", false},
		{"object_type", "case\n", false},
		{"object_id", "12 rue des Oliviers, Fès", false},
		{"object_id", "", true},
		{"request_id", "req 1", false},
		{"client_hash", strings.Repeat("0a", 32) + "0", false},
		{"client_hash", "0A", false},
		{"source", strings.Repeat("s", 31), true},
		{"source", strings.Repeat("s", 32), false},
		{"source", "1ntake", false},
		{"source", "", false},
	}
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		f := newFixture(t, e, nil)
		a := f.admin(t)
		for i, tc := range cases {
			row := map[string]string{}
			for k, v := range valid {
				row[k] = v
			}
			if tc.column != "" {
				row[tc.column] = tc.value
			}
			if tc.column != "id" {
				row["id"] = fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
			}
			_, err := a.Exec(`INSERT INTO events (idx, id, at, actor_user, actor_org, actor_role, action, object_type, object_id, outcome, request_id, client_hash, source, seq)
				VALUES ($1, $2, CURRENT_TIMESTAMP, $3, $4, $5, $6, $7, $8, 'allowed', $9, $10, $11, $1)`,
				1000+i, row["id"], row["actor_user"], row["actor_org"], row["actor_role"], row["action"],
				row["object_type"], row["object_id"], row["request_id"], row["client_hash"], row["source"])
			if (err == nil) != tc.ok {
				t.Errorf("%s = %q: insert error %v, want accepted %v", tc.column, tc.value, err, tc.ok)
			}
		}
	})
}
