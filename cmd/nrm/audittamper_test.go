package main

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/services/audit"
)

// An insider with write access to the database, not to the key directory,
// turns a denial of `nrm serve`'s log into an allowed read and recomputes
// every Merkle hash: `nrm audit verify` exits 1 naming that entry.
func TestAuditVerifyNamesAnEntryEditedByAnInsider(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		root := t.TempDir()
		keysDir, dataDir := filepath.Join(root, "keys"), filepath.Join(root, "data")
		args := []string{"--keys", keysDir, "--data", dataDir, "--demo"}
		common := []string{"--keys", keysDir, "--data", dataDir}
		migrated(t, e, dataDir)
		if e.Name == db.Postgres {
			var out, errb syncBuffer
			if code := run(context.Background(), []string{"migrate", "--keys", keysDir, "--database-url", e.Config.URL}, nil, &out, &errb); code != 0 {
				t.Fatalf("migrate: %d %s", code, errb.String())
			}
			args = append(args, "--database-url", e.Config.URL)
			common = append(common, "--database-url", e.Config.URL)
		}
		s := startServer(t, args...)
		creds := demoCredentials(t, s.stdout.String())
		officer := login(t, s.base, creds["officer@police.demo"])
		if st, _ := call(t, "POST", s.base+"/api/v1/orgs", officer, map[string]string{"name": "x", "kind": "ngo"}); st != 403 {
			t.Fatalf("officer creating an org: %d", st)
		}
		auditor := login(t, s.base, creds["auditor@commission.demo"])
		waitForEvents(t, s.base, auditor, "action=identity.orgs.create", map[string]string{"identity.orgs.create": "denied"})
		if code := s.stop(); code != 0 {
			t.Fatalf("serve exited with %d", code)
		}

		var a *sql.DB
		var err error
		if e.Name == db.Postgres {
			a, err = sql.Open("postgres", e.AdminURL+"&options=-c%20search_path%3Daudit")
		} else {
			a, err = sql.Open("sqlite", "file:"+filepath.Join(dataDir, "audit.db")+"?_pragma=busy_timeout(10000)")
		}
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { a.Close() })
		var idx int64
		if err := a.QueryRow(`SELECT idx FROM events WHERE action = 'identity.orgs.create' AND outcome = 'denied'`).Scan(&idx); err != nil {
			t.Fatal(err)
		}
		for _, q := range insiderUnlock(e.Name) {
			mustExec(t, a, q)
		}
		mustExec(t, a, fmt.Sprintf(`UPDATE events SET outcome = 'allowed' WHERE idx = %d`, idx))
		rehashAll(t, a)

		var out, errb syncBuffer
		code := run(context.Background(), append([]string{"audit", "verify"}, common...), nil, &out, &errb)
		if code != 1 || !strings.Contains(out.String(), fmt.Sprintf("first bad entry at index %d:", idx)) {
			t.Fatalf("audit verify: exit %d, %s %s; want 1 naming index %d", code, out.String(), errb.String(), idx)
		}
	})
}

// insiderUnlock removes the append-only triggers, as an insider with the
// owner's rights would.
func insiderUnlock(e db.Engine) []string {
	tables := []string{"events", "hashes", "checkpoints", "gaps", "leaf_macs"}
	var qs []string
	for _, tb := range tables {
		if e == db.Postgres {
			qs = append(qs, `ALTER TABLE `+tb+` DISABLE TRIGGER USER`)
		} else {
			qs = append(qs, `DROP TRIGGER IF EXISTS `+tb+`_no_update`, `DROP TRIGGER IF EXISTS `+tb+`_no_delete`)
		}
	}
	return qs
}

func mustExec(t *testing.T, a *sql.DB, q string) {
	t.Helper()
	if _, err := a.Exec(q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// rehashAll recomputes every stored Merkle hash from the events as they
// now are (the hashes are unkeyed: no key is needed).
func rehashAll(t *testing.T, a *sql.DB) {
	t.Helper()
	rows, err := a.Query(`SELECT idx, id, at, actor_user, actor_org, actor_role, action, object_type, object_id, outcome, request_id, client_hash, source, seq FROM events ORDER BY idx`)
	if err != nil {
		t.Fatal(err)
	}
	var all []tlog.Hash
	r := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = all[x]
		}
		return out, nil
	})
	for rows.Next() {
		var (
			idx     int64
			ev      event.Audit
			outcome string
		)
		if err := rows.Scan(&idx, &ev.ID, &ev.Time, &ev.ActorUser, &ev.ActorOrg, &ev.ActorRole, &ev.Action,
			&ev.ObjectType, &ev.ObjectID, &outcome, &ev.RequestID, &ev.ClientHash, &ev.Source, &ev.Seq); err != nil {
			t.Fatal(err)
		}
		ev.Outcome = event.Outcome(outcome)
		hs, err := tlog.StoredHashes(idx, audit.LeafData(ev), r)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, hs...)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	mustExec(t, a, `DELETE FROM hashes`)
	tx, err := a.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for i, h := range all {
		if _, err := tx.Exec(`INSERT INTO hashes (idx, hash) VALUES ($1, $2)`, int64(i), h[:]); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}
