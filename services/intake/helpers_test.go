package intake_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/keys"
	"github.com/nrm-project/nrm/pkg/seal"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/intake/intaketest"
	"github.com/nrm-project/nrm/services/intake/keyring"
)

// unlockCase opens caseID's locked grant groups with the class keys in
// kd, as the service does.
func unlockCase(kd *keys.Dir, caseID string) seal.WrapOption {
	return seal.WithRetentionKeys(keyring.CaseRetention(kd.CaseKeys(), caseID))
}

// outboxPayloads returns every outbox payload of topic ("" for all), in order.
func outboxPayloads(t testing.TB, env *intaketest.Env, topic string) []string {
	t.Helper()
	rows, err := env.DB.QueryContext(context.Background(), `SELECT topic, payload FROM outbox ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var tp, p string
		if err := rows.Scan(&tp, &p); err != nil {
			t.Fatal(err)
		}
		if topic == "" || tp == topic {
			out = append(out, p)
		}
	}
	return out
}

// auditEvents returns the audit events in the outbox, in order.
func auditEvents(t testing.TB, env *intaketest.Env) []event.Audit {
	t.Helper()
	var out []event.Audit
	for _, p := range outboxPayloads(t, env, event.TopicAudit) {
		var e event.Audit
		if err := json.Unmarshal([]byte(p), &e); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

// lastAudit returns the last audit event of action on objectID.
func lastAudit(t testing.TB, env *intaketest.Env, action, objectID string) (event.Audit, bool) {
	t.Helper()
	evs := auditEvents(t, env)
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Action == action && evs[i].ObjectID == objectID {
			return evs[i], true
		}
	}
	return event.Audit{}, false
}

func count(t testing.TB, env *intaketest.Env, query string, args ...any) int {
	t.Helper()
	var n int
	if err := env.DB.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("count: %v", err)
	}
	return n
}

// sectionNames returns the names of the sections a read returned.
func sectionNames(c intake.Case) map[string]bool {
	out := map[string]bool{}
	for n := range c.Sections {
		out[n] = true
	}
	return out
}

func identityOf(t testing.TB, c intake.Case) intake.IdentityInfo {
	t.Helper()
	var id intake.IdentityInfo
	raw, ok := c.Sections[intake.SectionIdentity]
	if !ok {
		t.Fatalf("identity section not returned")
	}
	if err := json.Unmarshal(raw, &id); err != nil {
		t.Fatal(err)
	}
	return id
}

func wantErr(t testing.TB, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("error = %v, want %v", err, want)
	}
}
