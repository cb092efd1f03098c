package idempotency_test

import (
	"testing"

	"github.com/nrm-project/nrm/pkg/idempotency"
)

// FuzzParseKey: an accepted key is 1 to MaxKeyLength printable ASCII
// characters and reads the same quoted, as a client forwarding it sends it.
func FuzzParseKey(f *testing.F) {
	for _, s := range []string{"", `""`, "8e03978e-40d5-43e8-bc93-6894a57f9324", `"k"`, "\x00", "é", `"`, `a"b`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, err := idempotency.ParseKey(s)
		if err != nil {
			return
		}
		if len(k) == 0 || len(k) > idempotency.MaxKeyLength {
			t.Fatalf("accepted %q", k)
		}
		for i := 0; i < len(k); i++ {
			if k[i] < 0x20 || k[i] > 0x7e || k[i] == '"' {
				t.Fatalf("accepted %q", k)
			}
		}
		if again, err := idempotency.ParseKey(`"` + k + `"`); err != nil || again != k {
			t.Fatalf("quoted %q reads %q, %v", k, again, err)
		}
	})
}
