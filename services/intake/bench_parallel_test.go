package intake_test

import (
	"sync/atomic"
	"testing"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

// BenchmarkRegisterParallel measures registrations from concurrent
// officers on PostgreSQL (run with -cpu to set the concurrency): what the
// outbox sequence lock and the key-row share lock allow together.
func BenchmarkRegisterParallel(b *testing.B) {
	env := intaketest.New(b, dbtest.Postgres(b), func(c *intake.Config) { c.DuplicateChecksPerMinute = 1 << 30 })
	officer := intaketest.Officer(env.Org("police"))
	var n atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			// Distinct names, so the duplicate check meets no one.
			if _, err := env.Service.Register(officer, intaketest.Registration(name(int(n.Add(1))))); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkGetParallel measures concurrent owner reads of four sections
// on PostgreSQL, each with its audit commit.
func BenchmarkGetParallel(b *testing.B) {
	env := intaketest.New(b, dbtest.Postgres(b))
	police := env.Org("police")
	officer := intaketest.Officer(police)
	ids := make([]string, 32)
	for i := range ids {
		ids[i] = env.Register(b, police, intaketest.Registration(name(i))).ID
	}
	var n atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := env.Service.Get(officer, ids[int(n.Add(1))%len(ids)]); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
