package disclosure

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDisclosurePolicy(t *testing.T) {
	t.Parallel()
	d, err := Load("")
	if err != nil {
		t.Fatalf("embedded policy: %v", err)
	}
	// Every row is zero-mean: over the whole key range the noise averages 0.
	for _, row := range d.PTable {
		var sum int
		const steps = 100000
		for i := range steps {
			sum += d.Perturbation(int64(row.Count), uint32(uint64(i)*KeySpace/steps))
		}
		if sum > steps/1000 || sum < -steps/1000 {
			t.Errorf("count %d: mean noise %.4f over the key range", row.Count, float64(sum)/steps)
		}
	}
	bad := map[string]func(*Policy){
		"no noise":                            func(d *Policy) { d.PTable = []PTableRow{{Count: 1, Noise: []Noise{{P: 1, V: 0}}}} },
		"negative count":                      func(d *Policy) { d.PTable[0].Noise = []Noise{{P: 0.5, V: -2}, {P: 0.5, V: 2}} },
		"biased":                              func(d *Policy) { d.PTable[0].Noise = []Noise{{P: 0.5, V: 0}, {P: 0.5, V: 1}} },
		"not a distribution":                  func(d *Policy) { d.PTable[0].Noise = []Noise{{P: 0.5, V: 0}} },
		"too much noise":                      func(d *Policy) { d.PTable[2].Noise = []Noise{{P: 0.5, V: -5}, {P: 0.5, V: 5}} },
		"no threshold":                        func(d *Policy) { d.Threshold = 0 },
		"rows out of order":                   func(d *Policy) { d.PTable[0].Count = 2 },
		"no abroad":                           func(d *Policy) { d.Regions = []string{"MA-01"} },
		"release control below the threshold": func(d *Policy) { d.ReleaseMinChanges = d.Threshold - 1 },
	}
	for name, spoil := range bad {
		t.Run(name, func(t *testing.T) {
			x, _ := Load("")
			spoil(&x)
			if err := x.Validate(); err == nil {
				t.Error("accepted")
			}
		})
	}
	t.Run("override from the policies directory", func(t *testing.T) {
		dir := t.TempDir()
		b, _ := os.ReadFile("disclosure.json")
		if err := os.WriteFile(filepath.Join(dir, File), []byte(strings.Replace(string(b), `"threshold": 5`, `"threshold": 7`, 1)), 0o600); err != nil {
			t.Fatal(err)
		}
		d, err := Load(dir)
		if err != nil || d.Threshold != 7 {
			t.Fatalf("override: threshold %d, %v", d.Threshold, err)
		}
		if err := os.WriteFile(filepath.Join(dir, File), []byte(`{"threshold": 5}`), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Load(dir); err == nil {
			t.Fatal("an invalid override was accepted")
		}
	})
}
