package migrations

import (
	"bytes"
	"fmt"
	"io/fs"
	"testing"

	"github.com/nrm-project/nrm/pkg/outbox/schema"
)

// Every service with an outbox reads its outbox steps from the one text
// in pkg/outbox/schema, at the versions deployed databases ran them, and
// its sequence has no gap.
func TestSequencesTakeTheOutboxStepsFromOneText(t *testing.T) {
	for service, steps := range OutboxSteps {
		for _, engine := range []string{"postgres", "sqlite"} {
			seq, err := For(service, engine)
			if err != nil {
				t.Fatal(err)
			}
			files, err := fs.Glob(seq, "*.sql")
			if err != nil {
				t.Fatal(err)
			}
			for i, f := range files {
				if want := fmt.Sprintf("%04d_", i+1); f[:5] != want {
					t.Fatalf("%s/%s: file %d is %s", service, engine, i+1, f)
				}
			}
			one, _ := schema.FS(engine)
			for name, step := range steps {
				got, err := fs.ReadFile(seq, name)
				if err != nil {
					t.Fatalf("%s/%s: %v", service, engine, err)
				}
				want, _ := fs.ReadFile(one, step)
				if len(want) == 0 || !bytes.Equal(got, want) {
					t.Errorf("%s/%s: %s is not %s", service, engine, name, step)
				}
				if _, err := fs.Stat(FS, service+"/"+engine+"/"+name); err == nil {
					t.Errorf("%s/%s: a copy of %s is back in the service's folder", service, engine, step)
				}
			}
		}
	}
}
