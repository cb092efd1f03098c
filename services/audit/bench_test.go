package audit

import (
	"crypto/sha256"
	"database/sql"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/lib/pq"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
)

func benchEngines(b *testing.B, fn func(b *testing.B, e dbtest.Engine)) {
	b.Run("sqlite", func(b *testing.B) { fn(b, dbtest.SQLite(b)) })
	b.Run("postgres", func(b *testing.B) { fn(b, dbtest.Postgres(b)) })
}

// BenchmarkAppend appends relay-sized batches of 100 events.
func BenchmarkAppend(b *testing.B) {
	benchEngines(b, func(b *testing.B, e dbtest.Engine) {
		f := newFixtureTB(b, e)
		const batch = 100
		msgs := f.next(b, "intake", batch*b.N)
		b.ResetTimer()
		for i := range b.N {
			if err := f.log.Append(f.ctx, msgs[i*batch:(i+1)*batch]); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "events/s")
	})
}

func verifySize() int {
	if s := os.Getenv("NRM_BENCH_VERIFY_N"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n > 0 {
			return n
		}
	}
	return 1_000_000
}

// benchEvents returns n events and their leaf data.
func benchEvents(n int) ([]event.Audit, [][]byte) {
	t0 := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	es := make([]event.Audit, n)
	leaves := make([][]byte, n)
	for i := range es {
		es[i] = event.Audit{
			ID: event.NewID(), Time: t0.Add(time.Duration(i) * time.Millisecond), ActorUser: "u-" + strconv.Itoa(i%500),
			ActorOrg: "org-7", ActorRole: "frontline_officer", Action: "intake.case.read", ObjectType: "case",
			ObjectID: "c-" + strconv.Itoa(i%20000), Outcome: event.Allowed, RequestID: "req-" + strconv.Itoa(i),
			ClientHash: "0123456789abcdef0123456789abcdef", Source: "intake", Seq: int64(i + 1),
		}
		leaves[i] = LeafData(es[i])
	}
	return es, leaves
}

// BenchmarkVerify verifies a log of NRM_BENCH_VERIFY_N (default 1,000,000)
// events, bulk-inserted in the setup.
func BenchmarkVerify(b *testing.B) {
	n := verifySize()
	es, leaves := benchEvents(n)
	var stored []tlog.Hash
	r := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = stored[x]
		}
		return out, nil
	})
	for i := range es {
		hs, err := tlog.StoredHashes(int64(i), leaves[i], r)
		if err != nil {
			b.Fatal(err)
		}
		stored = append(stored, hs...)
	}
	benchEngines(b, func(b *testing.B, e dbtest.Engine) {
		f := newFixtureTB(b, e)
		bulkInsert(b, f.db, es, stored)
		b.ResetTimer()
		for range b.N {
			rep, err := Verify(f.ctx, f.db, VerifyOptions{Keys: f.keys})
			if err != nil || rep.Size != int64(n) {
				b.Fatalf("Verify = %+v, %v", rep, err)
			}
		}
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "events/s")
	})
}

// BenchmarkSHA256Baseline hashes the same leaf bytes as BenchmarkVerify
// and nothing else: the floor under Verify.
func BenchmarkSHA256Baseline(b *testing.B) {
	n := verifySize()
	_, leaves := benchEvents(n)
	buf := make([]byte, 0, 512)
	b.ResetTimer()
	for range b.N {
		for _, l := range leaves {
			buf = append(append(buf[:0], 0), l...)
			_ = sha256.Sum256(buf)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "events/s")
}

func bulkInsert(b *testing.B, d *db.DB, es []event.Audit, stored []tlog.Hash) {
	b.Helper()
	err := d.Tx(b.Context(), func(tx *sql.Tx) error {
		if d.Engine == db.Postgres {
			st, err := tx.Prepare(pq.CopyIn("events", "idx", "id", "at", "actor_user", "actor_org", "actor_role", "action",
				"object_type", "object_id", "outcome", "request_id", "client_hash", "source", "seq"))
			if err != nil {
				return err
			}
			for i, e := range es {
				if _, err := st.Exec(int64(i), e.ID, e.Time, e.ActorUser, e.ActorOrg, e.ActorRole, e.Action,
					e.ObjectType, e.ObjectID, string(e.Outcome), e.RequestID, e.ClientHash, e.Source, e.Seq); err != nil {
					return err
				}
			}
			if _, err := st.Exec(); err != nil {
				return err
			}
			st.Close()
			hs, err := tx.Prepare(pq.CopyIn("hashes", "idx", "hash"))
			if err != nil {
				return err
			}
			for i, h := range stored {
				if _, err := hs.Exec(int64(i), h[:]); err != nil {
					return err
				}
			}
			if _, err := hs.Exec(); err != nil {
				return err
			}
			return hs.Close()
		}
		entries := make([]Entry, len(es))
		for i, e := range es {
			entries[i] = Entry{Index: int64(i), Audit: e}
		}
		if err := insertEntries(b.Context(), tx, d.Engine, entries); err != nil {
			return err
		}
		return insertHashes(b.Context(), tx, d.Engine, 0, stored)
	})
	if err != nil {
		b.Fatalf("bulk insert: %v", err)
	}
}
