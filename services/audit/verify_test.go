package audit

import (
	"database/sql"
	"encoding/base64"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
)

func TestVerifyDetectsTampering(t *testing.T) {
	t.Parallel()
	type setup struct {
		f          *fixture
		a          *sql.DB
		cp10, cp20 Checkpoint
	}
	cases := []struct {
		name      string
		tamper    func(t *testing.T, s setup)
		opts      func(s setup) VerifyOptions
		wantIndex int64
	}{
		{
			name:      "event changed",
			tamper:    func(t *testing.T, s setup) { exec(t, s.a, `UPDATE events SET object_id = 'forged' WHERE idx = 7`) },
			wantIndex: 7,
		},
		{
			name:      "event deleted",
			tamper:    func(t *testing.T, s setup) { exec(t, s.a, `DELETE FROM events WHERE idx = 7`) },
			wantIndex: 7,
		},
		{
			name: "event inserted",
			tamper: func(t *testing.T, s setup) {
				exec(t, s.a, `UPDATE events SET idx = idx + 1000000 WHERE idx >= 7`)
				exec(t, s.a, `UPDATE events SET idx = idx - 999999 WHERE idx >= 1000000`)
				exec(t, s.a, `INSERT INTO events (idx, id, at, actor_user, actor_org, actor_role, action, object_type, object_id, outcome, request_id, client_hash, source, seq)
					SELECT 7, '00000000-0000-4000-8000-000000000000', at, actor_user, actor_org, actor_role, action, object_type, 'planted', outcome, request_id, client_hash, source, 999
					FROM events WHERE idx = 8`)
			},
			wantIndex: 7,
		},
		{
			name: "two events swapped",
			tamper: func(t *testing.T, s setup) {
				exec(t, s.a, `UPDATE events SET idx = 1000000 WHERE idx = 4`)
				exec(t, s.a, `UPDATE events SET idx = 4 WHERE idx = 9`)
				exec(t, s.a, `UPDATE events SET idx = 9 WHERE idx = 1000000`)
			},
			wantIndex: 4,
		},
		{
			name: "tail truncated with newer checkpoints, caught by a trusted checkpoint",
			tamper: func(t *testing.T, s setup) {
				exec(t, s.a, `DELETE FROM events WHERE idx >= 15`)
				exec(t, s.a, `DELETE FROM hashes WHERE idx >= `+strconv.FormatInt(tlog.StoredHashIndex(0, 15), 10))
				exec(t, s.a, `DELETE FROM checkpoints WHERE size > 15`)
			},
			opts:      func(s setup) VerifyOptions { return VerifyOptions{Keys: s.f.keys, Trusted: [][]byte{s.cp20.Note}} },
			wantIndex: 15,
		},
		{
			name: "tail truncated with newer checkpoints, caught by the checkpoint directory",
			tamper: func(t *testing.T, s setup) {
				exec(t, s.a, `DELETE FROM events WHERE idx >= 15`)
				exec(t, s.a, `DELETE FROM hashes WHERE idx >= `+strconv.FormatInt(tlog.StoredHashIndex(0, 15), 10))
				exec(t, s.a, `DELETE FROM checkpoints WHERE size > 15`)
			},
			wantIndex: 15,
		},
		{
			name: "rewritten consistently, caught by the checkpoint directory",
			tamper: func(t *testing.T, s setup) {
				exec(t, s.a, `UPDATE events SET object_id = 'forged' WHERE idx = 12`)
				exec(t, s.a, `DELETE FROM checkpoints`)
				s.f.rehash(t, s.a)
			},
			wantIndex: 12, // the keyed MAC names the entry, not only the checkpoint range
		},
		{
			name: "rewritten consistently, caught by a trusted checkpoint",
			tamper: func(t *testing.T, s setup) {
				exec(t, s.a, `UPDATE events SET object_id = 'forged' WHERE idx = 12`)
				exec(t, s.a, `DELETE FROM checkpoints`)
				s.f.rehash(t, s.a)
			},
			opts:      func(s setup) VerifyOptions { return VerifyOptions{Keys: s.f.keys, Trusted: [][]byte{s.cp20.Note}} },
			wantIndex: 12,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
				f := newFixture(t, e, nil)
				f.append(t, "intake", 10)
				cp10 := f.checkpoint(t)
				f.append(t, "referral", 10)
				cp20 := f.checkpoint(t)
				s := setup{f: f, cp10: cp10, cp20: cp20}
				opts := VerifyOptions{Keys: f.keys, CheckpointDir: f.cpDir}
				if tc.opts != nil {
					opts = tc.opts(s)
				}
				if _, err := Verify(f.ctx, f.db, opts); err != nil {
					t.Fatalf("Verify before tampering: %v", err)
				}
				s.a = f.admin(t)
				tc.tamper(t, s)
				_, err := Verify(f.ctx, f.db, opts)
				if got := tamperIndex(t, err); got != tc.wantIndex {
					t.Errorf("Verify named index %d (%v), want %d", got, err, tc.wantIndex)
				}
			})
		})
	}
}

// An insider with write access to the database but not to the key
// directory edits an entry and recomputes every unkeyed hash (leaf and
// tree hashes), removes what would give it away, and verify still names
// the edited entry: each entry carries a MAC under a key from the key
// directory, bound to its index.
func TestVerifyNamesTheEditedEntryDespiteRecomputedHashes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		tamper    func(t *testing.T, f *fixture, a *sql.DB)
		wantIndex int64
	}{
		{"edited before the last checkpoint, checkpoints deleted", func(t *testing.T, f *fixture, a *sql.DB) {
			exec(t, a, `UPDATE events SET object_id = 'forged' WHERE idx = 12`)
			exec(t, a, `DELETE FROM checkpoints`)
			f.rehash(t, a)
		}, 12},
		{"edited after the last checkpoint", func(t *testing.T, f *fixture, a *sql.DB) {
			exec(t, a, `UPDATE events SET outcome = 'allowed', action = 'intake.cases.read' WHERE idx = 22`)
			f.rehash(t, a)
		}, 22},
		{"edited, and the MACs up to it deleted", func(t *testing.T, f *fixture, a *sql.DB) {
			exec(t, a, `UPDATE events SET object_id = 'forged' WHERE idx = 12`)
			exec(t, a, `DELETE FROM leaf_macs WHERE idx <= 12`)
			f.rehash(t, a)
		}, 0},
		{"edited, and another entry's MAC copied to it", func(t *testing.T, f *fixture, a *sql.DB) {
			exec(t, a, `UPDATE events SET object_id = (SELECT object_id FROM events WHERE idx = 13) WHERE idx = 12`)
			exec(t, a, `DELETE FROM leaf_macs WHERE idx = 12`)
			exec(t, a, `INSERT INTO leaf_macs (idx, mac) SELECT 12, mac FROM leaf_macs WHERE idx = 13`)
			f.rehash(t, a)
		}, 12},
		{"two entries swapped with their MACs", func(t *testing.T, f *fixture, a *sql.DB) {
			for _, tb := range []string{"events", "leaf_macs"} {
				exec(t, a, `UPDATE `+tb+` SET idx = 1000000 WHERE idx = 21`)
				exec(t, a, `UPDATE `+tb+` SET idx = 21 WHERE idx = 23`)
				exec(t, a, `UPDATE `+tb+` SET idx = 23 WHERE idx = 1000000`)
			}
			f.rehash(t, a)
		}, 21},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
				f := newFixture(t, e, nil)
				f.append(t, "intake", 10)
				f.checkpoint(t)
				f.append(t, "referral", 10)
				f.checkpoint(t)
				f.append(t, "intake", 5) // not yet in a checkpoint
				opts := VerifyOptions{Keys: f.keys}
				if _, err := Verify(f.ctx, f.db, opts); err != nil {
					t.Fatalf("Verify before tampering: %v", err)
				}
				tc.tamper(t, f, f.admin(t))
				_, err := Verify(f.ctx, f.db, opts)
				if got := tamperIndex(t, err); got != tc.wantIndex {
					t.Errorf("Verify named index %d (%v), want %d", got, err, tc.wantIndex)
				}
			})
		})
	}
}

func TestVerifyIntact(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		f := newFixture(t, e, nil)
		f.append(t, "intake", 33)
		cp := f.checkpoint(t)
		f.append(t, "intake", 4)
		rep, err := Verify(f.ctx, f.db, VerifyOptions{Keys: f.keys, CheckpointDir: f.cpDir, Trusted: [][]byte{cp.Note}})
		if err != nil {
			t.Fatalf("Verify: %v", err)
		}
		if rep.Size != 37 || rep.Checkpoints != 1 || rep.Files != 2 || rep.Trusted != 1 {
			t.Errorf("report = %+v, want size 37, 1 stored checkpoint, 2 files, 1 trusted", rep)
		}
		want, err := tlog.TreeHash(37, dbHashReader(f.ctx, f.db))
		if err != nil {
			t.Fatal(err)
		}
		if rep.Root != want {
			t.Error("report root differs from the stored tree")
		}
	})
}

func TestVerifyRejectsForgedCheckpointFile(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		f := newFixture(t, e, nil)
		f.append(t, "intake", 5)
		cp := f.checkpoint(t)
		forged := []byte(string(cp.Note[:len(cp.Note)-10]) + "AAAAAAAAA\n")
		if err := os.WriteFile(filepath.Join(f.cpDir, "5"), forged, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Verify(f.ctx, f.db, VerifyOptions{Keys: f.keys, CheckpointDir: f.cpDir})
		if got := tamperIndex(t, err); got != 0 {
			t.Errorf("Verify named index %d, want 0", got)
		}
	})
}

func exec(t *testing.T, a *sql.DB, q string) {
	t.Helper()
	if _, err := a.Exec(q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// A log begun before entries had MACs: the key directory records the size
// at the first append with MACs, earlier entries are covered by the signed
// checkpoints only, and every later one must carry its MAC.
func TestVerifyLogBegunBeforeMACs(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		f := newFixture(t, e, nil)
		f.append(t, "intake", 12)
		a := f.admin(t)
		exec(t, a, `DELETE FROM leaf_macs WHERE idx < 5`) // as written before MACs
		legacy := base64.StdEncoding.EncodeToString([]byte{0, 0, 0, 0, 0, 0, 0, 5}) + "\n"
		if err := os.WriteFile(filepath.Join(f.keys.Path(), MACsFromFile), []byte(legacy), 0o600); err != nil {
			t.Fatal(err)
		}
		rep, err := Verify(f.ctx, f.db, VerifyOptions{Keys: f.keys})
		if err != nil {
			t.Fatalf("Verify: %v", err)
		}
		if rep.MACs != 7 || rep.MACsFrom != 5 {
			t.Fatalf("report %+v, want 7 MACs checked from index 5", rep)
		}
		exec(t, a, `DELETE FROM leaf_macs WHERE idx = 5`)
		_, err = Verify(f.ctx, f.db, VerifyOptions{Keys: f.keys})
		if got := tamperIndex(t, err); got != 5 {
			t.Fatalf("Verify named %d (%v), want 5", got, err)
		}
	})
}

// An auditor verifies a live log: events and hashes are read by two
// queries while batches keep arriving, and a tail seen by one and not the
// other is no tampering (the split deployment's fault test once reported
// index 2211 "tampered" so).
func TestVerifyWhileTheLogGrows(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		f := newFixture(t, e, nil)
		f.append(t, "intake", 20)
		f.checkpoint(t)
		done := make(chan struct{})
		appended := make(chan error, 1)
		go func() {
			defer close(appended)
			for {
				select {
				case <-done:
					return
				default:
				}
				if err := f.log.Append(f.ctx, f.next(t, "intake", 3)); err != nil {
					appended <- err
					return
				}
			}
		}()
		for i := range 40 {
			if _, err := Verify(f.ctx, f.db, VerifyOptions{Keys: f.keys, CheckpointDir: f.cpDir}); err != nil {
				close(done)
				t.Fatalf("verify %d of a growing log: %v", i, err)
			}
		}
		close(done)
		if err := <-appended; err != nil {
			t.Fatalf("append: %v", err)
		}
	})
}
