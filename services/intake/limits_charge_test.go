package intake_test

import (
	"context"
	"testing"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

// Only what probes the duplicate index is charged to the duplicate-check
// limit (docs/operations.md): a registration or finalised draft with an
// identity section, once the draft is found. A registration without
// identity data, a draft and a finalisation of no draft cost nothing.
func TestDuplicateCheckChargesIdentityOnly(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := intaketest.New(t, e, func(c *intake.Config) { c.DuplicateChecksPerMinute = 1 })
		police := env.Org("police")
		officer := intaketest.Officer(police)
		noIdentity := func(name string) intake.Registration {
			r := intaketest.Registration(name)
			r.Identity = nil
			return r
		}
		draft := intaketest.Registration("Draft Person")
		draft.Draft = true
		free := []struct {
			name string
			do   func(context.Context) error
		}{
			{"registration without identity", func(ctx context.Context) error {
				_, err := env.Service.Register(ctx, noIdentity("No Identity"))
				return err
			}},
			{"another without identity", func(ctx context.Context) error {
				_, err := env.Service.Register(ctx, noIdentity("No Identity Either"))
				return err
			}},
			{"a draft", func(ctx context.Context) error {
				_, err := env.Service.Register(ctx, draft)
				return err
			}},
			{"finalising no draft", func(ctx context.Context) error {
				_, err := env.Service.Finalize(ctx, event.NewID())
				if err == nil {
					t.Fatal("finalised a draft that does not exist")
				}
				if kit.AsError(err).Code == kit.ErrRateLimited.Code {
					return err
				}
				return nil
			}},
		}
		for _, tt := range free {
			t.Run(tt.name, func(t *testing.T) {
				if err := tt.do(officer); err != nil {
					t.Fatalf("charged: %v", err)
				}
			})
		}
		t.Run("identity data is charged", func(t *testing.T) {
			if _, err := env.Service.Register(officer, intaketest.Registration("Identified Person")); err != nil {
				t.Fatalf("the first check: %v", err)
			}
			_, err := env.Service.Register(officer, intaketest.Registration("Identified Again"))
			wantErr(t, err, kit.ErrRateLimited)
		})
	})
}
