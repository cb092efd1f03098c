package intake_test

import (
	"testing"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

// name spells i in consonants, so each i simplifies to its own skeleton.
func name(i int) string {
	const letters = "bcdfgklmnprstz"
	out := []byte("Person ")
	for {
		out = append(out, letters[i%len(letters)], 'a')
		i /= len(letters)
		if i == 0 {
			return string(out)
		}
	}
}

func benchEngines(b *testing.B, fn func(b *testing.B, e dbtest.Engine)) {
	b.Run("sqlite", func(b *testing.B) { fn(b, dbtest.SQLite(b)) })
	b.Run("postgres", func(b *testing.B) { fn(b, dbtest.Postgres(b)) })
}

// BenchmarkRegister measures a full registration: validation, sealing of
// four sections, one wrap, consents, blind indexes, audit and stats events.
func BenchmarkRegister(b *testing.B) {
	benchEngines(b, func(b *testing.B, e dbtest.Engine) {
		env := intaketest.New(b, e, func(c *intake.Config) { c.DuplicateChecksPerMinute = 1 << 30 })
		police := env.Org("police")
		officer := intaketest.Officer(police)
		b.ResetTimer()
		for i := 0; b.Loop(); i++ {
			// Distinct names, so the duplicate check meets no one.
			r := intaketest.Registration(name(i))
			if _, err := env.Service.Register(officer, r); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkGet measures an owner's read of four sections: snapshot read,
// audit commit, one age decryption.
func BenchmarkGet(b *testing.B) {
	benchEngines(b, func(b *testing.B, e dbtest.Engine) {
		env := intaketest.New(b, e)
		police := env.Org("police")
		officer := intaketest.Officer(police)
		c := env.Register(b, police, intaketest.Registration("Benchmark Person"))
		b.ResetTimer()
		for b.Loop() {
			if _, err := env.Service.Get(officer, c.ID); err != nil {
				b.Fatal(err)
			}
		}
	})
}
