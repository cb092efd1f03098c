package stats

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDisclosurePolicy(t *testing.T) {
	t.Parallel()
	d, err := LoadDisclosure("")
	if err != nil {
		t.Fatalf("embedded policy: %v", err)
	}
	// Every row is zero-mean: over the whole key range the noise averages 0.
	for _, row := range d.PTable {
		var sum int
		const steps = 100000
		for i := range steps {
			sum += d.noise(int64(row.Count), uint32(uint64(i)*keySpace/steps))
		}
		if sum > steps/1000 || sum < -steps/1000 {
			t.Errorf("count %d: mean noise %.4f over the key range", row.Count, float64(sum)/steps)
		}
	}
	bad := map[string]func(*Disclosure){
		"no noise":                            func(d *Disclosure) { d.PTable = []PTableRow{{Count: 1, Noise: []Noise{{P: 1, V: 0}}}} },
		"negative count":                      func(d *Disclosure) { d.PTable[0].Noise = []Noise{{P: 0.5, V: -2}, {P: 0.5, V: 2}} },
		"biased":                              func(d *Disclosure) { d.PTable[0].Noise = []Noise{{P: 0.5, V: 0}, {P: 0.5, V: 1}} },
		"not a distribution":                  func(d *Disclosure) { d.PTable[0].Noise = []Noise{{P: 0.5, V: 0}} },
		"too much noise":                      func(d *Disclosure) { d.PTable[2].Noise = []Noise{{P: 0.5, V: -5}, {P: 0.5, V: 5}} },
		"no threshold":                        func(d *Disclosure) { d.Threshold = 0 },
		"rows out of order":                   func(d *Disclosure) { d.PTable[0].Count = 2 },
		"no abroad":                           func(d *Disclosure) { d.Regions = []string{"MA-01"} },
		"release control below the threshold": func(d *Disclosure) { d.ReleaseMinChanges = d.Threshold - 1 },
	}
	for name, spoil := range bad {
		t.Run(name, func(t *testing.T) {
			x, _ := LoadDisclosure("")
			spoil(&x)
			if err := x.Validate(); err == nil {
				t.Error("accepted")
			}
		})
	}
	t.Run("override from the policies directory", func(t *testing.T) {
		dir := t.TempDir()
		b, _ := os.ReadFile("disclosure.json")
		if err := os.WriteFile(filepath.Join(dir, PolicyFile), []byte(strings.Replace(string(b), `"threshold": 5`, `"threshold": 7`, 1)), 0o600); err != nil {
			t.Fatal(err)
		}
		d, err := LoadDisclosure(dir)
		if err != nil || d.Threshold != 7 {
			t.Fatalf("override: threshold %d, %v", d.Threshold, err)
		}
		if err := os.WriteFile(filepath.Join(dir, PolicyFile), []byte(`{"threshold": 5}`), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadDisclosure(dir); err == nil {
			t.Fatal("an invalid override was accepted")
		}
	})
}

func TestPeriods(t *testing.T) {
	t.Parallel()
	for in, ok := range map[string]bool{"2026": true, "2026-Q4": true, "2026-11": true, "2026-Q5": false, "2026-00": false, "26": false, "2026-11-01": false} {
		if _, err := ParsePeriod(in); (err == nil) != ok {
			t.Errorf("ParsePeriod(%q) = %v", in, err)
		}
	}
	if got := periodsOf("2026-11"); len(got) != 3 || got[1] != "2026-Q4" || got[2] != "2026" {
		t.Errorf("periodsOf = %v", got)
	}
}
