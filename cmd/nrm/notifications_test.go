package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
)

type inboxItem struct {
	ID         string `json:"id"`
	Kind       string `json:"kind"`
	Detail     string `json:"detail"`
	ObjectType string `json:"object_type"`
	ObjectID   string `json:"object_id"`
}

// waitForNotice polls a user's inbox until it holds a notice of kind (and
// detail, when given) about object, and returns it.
func waitForNotice(t *testing.T, base, token, kind, detail, object string) inboxItem {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		st, b := call(t, "GET", base+"/api/v1/notifications?limit=200", token, nil)
		var page struct {
			Notifications []inboxItem `json:"notifications"`
		}
		if st != 200 || json.Unmarshal(b, &page) != nil {
			t.Fatalf("inbox: %d %s", st, b)
		}
		for _, n := range page.Notifications {
			if n.Kind == kind && n.ObjectID == object && (detail == "" || n.Detail == detail) {
				return n
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s/%s notice about %s in %s", kind, detail, object, b)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// The journey's notices travel from intake's outbox to each party's inbox
// through nrm serve, on both engines; another organisation's user neither
// sees nor marks them; and no database row of a notice, outbox message or
// webhook carries what was planted in the case.
func TestNotificationsEndToEnd(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		root := t.TempDir()
		keysDir, dataDir := filepath.Join(root, "keys"), filepath.Join(root, "data")
		storageArgs := []string{"--keys", keysDir, "--data", dataDir}
		migrated(t, e, dataDir)
		if e.Name == db.Postgres {
			storageArgs = append(storageArgs, "--database-url", e.Config.URL)
			var out, errb syncBuffer
			if code := run(context.Background(), append([]string{"migrate"}, storageArgs...), nil, &out, &errb); code != 0 {
				t.Fatalf("migrate: %s", errb.String())
			}
		}
		s := startServer(t, append(storageArgs, "--demo")...)
		creds := demoCredentials(t, s.stdout.String())
		officer := login(t, s.base, creds["officer@police.demo"])
		guardian := login(t, s.base, creds["guardian@child.demo"])
		desk := login(t, s.base, creds["desk@authority.demo"])
		shelter := login(t, s.base, creds["caseworker@shelter.demo"])

		canary := "cnryN0t1c3" + strings.ReplaceAll(time.Now().Format("150405.000"), ".", "")
		reg := minimalRegistration(canary)
		reg["age_group"] = "child"
		st, b := call(t, "POST", s.base+"/api/v1/cases", officer, reg)
		if st != 201 {
			t.Fatalf("register: %d %s", st, b)
		}
		var c struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(b, &c)
		var me struct {
			UserID string `json:"user_id"`
			OrgID  string `json:"org_id"`
		}
		st, b = call(t, "GET", s.base+"/api/v1/me", guardian, nil)
		if st != 200 || json.Unmarshal(b, &me) != nil {
			t.Fatalf("me: %d %s", st, b)
		}
		if st, b := call(t, "POST", s.base+"/api/v1/cases/"+c.ID+"/guardian", officer,
			map[string]string{"user_id": me.UserID, "org_id": me.OrgID}); st != 200 {
			t.Fatalf("appoint guardian: %d %s", st, b)
		}
		waitForNotice(t, s.base, guardian, "guardian.appointed", "", c.ID)
		if st, b := call(t, "POST", s.base+"/api/v1/cases/"+c.ID+"/support", officer,
			map[string]string{"to": "suspended", "reason": "Reason " + canary}); st != 200 {
			t.Fatalf("person missing: %d %s", st, b)
		}
		changed := waitForNotice(t, s.base, guardian, "case.changed", "support.suspended", c.ID)
		waitForNotice(t, s.base, desk, "case.person_missing", "", c.ID)
		waitForNotice(t, s.base, officer, "case.person_missing", "", c.ID)

		// Another organisation sees none of it and cannot mark it read.
		st, b = call(t, "GET", s.base+"/api/v1/notifications", shelter, nil)
		if st != 200 || strings.Contains(string(b), c.ID) {
			t.Fatalf("another organisation's inbox: %d %s", st, b)
		}
		if st, b := call(t, "POST", s.base+"/api/v1/notifications/"+changed.ID+"/read", shelter, nil); st != 404 {
			t.Fatalf("marking another's notice: %d %s", st, b)
		}
		auditor := login(t, s.base, creds["auditor@commission.demo"])
		waitForEvents(t, s.base, auditor, "object_id="+changed.ID+"&outcome=denied",
			map[string]string{"referral.notification.read": "denied"})
		if st, b := call(t, "POST", s.base+"/api/v1/notifications/"+changed.ID+"/read", guardian, nil); st != 200 {
			t.Fatalf("guardian marks read: %d %s", st, b)
		}

		// An account's recovery travels from identity's outbox to the
		// user's inbox and their organisation's administrators'.
		var officerMe struct {
			UserID string `json:"user_id"`
		}
		if st, b := call(t, "GET", s.base+"/api/v1/me", officer, nil); st != 200 || json.Unmarshal(b, &officerMe) != nil {
			t.Fatalf("me: %d %s", st, b)
		}
		admin := login(t, s.base, creds["admin@police.demo"])
		if st, b := call(t, "POST", s.base+"/api/v1/users/"+officerMe.UserID+"/password-reset", admin, nil); st != 200 {
			t.Fatalf("password reset: %d %s", st, b)
		}
		waitForNotice(t, s.base, officer, "account.recovery", "password_reset_issued", officerMe.UserID)
		waitForNotice(t, s.base, admin, "account.recovery", "password_reset_issued", officerMe.UserID)
		if code := s.stop(); code != 0 {
			t.Fatalf("serve exited %d", code)
		}

		// The canary scan, in the tables themselves on either engine.
		cfg := mustConfig(t, keysDir, e.Config.URL)
		if e.Name == db.SQLite {
			cfg = db.Config{DataDir: dataDir}
		}
		ctx := context.Background()
		scans := []struct {
			service, query string
			atLeast        int // rows the scan must cover, so it proves something
		}{
			{"referral", `SELECT id || kind || detail || object_type || object_id || due || org_id || role || user_id FROM notices`, 4},
			{"referral", `SELECT body FROM webhook_deliveries`, 0},
			{"referral", `SELECT payload FROM outbox`, 1},
			{"intake", `SELECT payload FROM outbox WHERE topic = 'notice'`, 4},
			{"intake", `SELECT payload FROM outbox`, 1},
			{"identity", `SELECT payload FROM outbox WHERE topic = 'notice'`, 2},
		}
		for _, sc := range scans {
			d, err := db.Open(ctx, cfg, sc.service)
			if err != nil {
				t.Fatal(err)
			}
			rows, err := d.QueryContext(ctx, sc.query)
			if err != nil {
				d.Close()
				t.Fatalf("%s: %v", sc.query, err)
			}
			n := 0
			for rows.Next() {
				var v string
				if err := rows.Scan(&v); err != nil {
					t.Fatal(err)
				}
				n++
				// Identity's notices name a user by id: no e-mail address.
				if strings.Contains(v, canary) || strings.Contains(v, "Reason ") || (sc.service == "identity" && strings.Contains(v, "@")) {
					t.Errorf("%s: %s holds the canary: %s", sc.service, sc.query, v)
				}
			}
			rows.Close()
			d.Close()
			if n < sc.atLeast {
				t.Errorf("%s: %s scanned %d rows, want at least %d", sc.service, sc.query, n, sc.atLeast)
			}
		}
	})
}
