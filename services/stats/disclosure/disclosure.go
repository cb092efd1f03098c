package disclosure

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
)

// File is the name of the disclosure-control file; one in the
// --policies directory replaces the embedded default.
const File = "stats-disclosure.json"

//go:embed disclosure.json
var defaultPolicy []byte

// KeySpace is the size of the integer range of record and cell keys: a key
// k stands for the fraction k / 2^32 in [0, 1).
const KeySpace = 1 << 32

// Noise is one entry of a perturbation-table row: with probability P the
// cell's value moves by V.
type Noise struct {
	P float64 `json:"p"`
	V int     `json:"v"`
}

// PTableRow gives the noise distribution of cells whose true count is
// Count; the last row applies to every larger count.
type PTableRow struct {
	Count int     `json:"count"`
	Noise []Noise `json:"noise"`
}

// DP configures the differential-privacy mode.
type DP struct {
	// EpsilonPerTable is an answer's epsilon when the question names none.
	EpsilonPerTable   float64 `json:"epsilon_per_table"`
	MaxReleaseEpsilon float64 `json:"max_release_epsilon"`
	// EpsilonPerMonth is the privacy ledger's budget: the most epsilon all
	// answers together may spend on one table family's records of one
	// month, across every release and analyst.
	EpsilonPerMonth float64 `json:"epsilon_per_month"`
	// MinEpsilon is the smallest epsilon one answer may be asked at. Below
	// some 1e-16 the noise's parameter exp(-epsilon/sensitivity) rounds to
	// 1 and the noise vanishes; a floor well above that keeps every answer
	// noisy and bounds how many answers a month's budget buys (budget /
	// min_epsilon). Absent from a policy file, it is defaultMinEpsilon.
	MinEpsilon float64 `json:"min_epsilon"`
}

// defaultMinEpsilon is dp.min_epsilon when a policy file leaves it out.
const defaultMinEpsilon = 0.01

// microEpsilon is the unit the privacy ledger counts in: epsilons are
// whole millionths, so no sum of them is lost to floating-point rounding.
const microEpsilon = 1e6

// ToMicro converts an epsilon to whole millionths (nearest).
func ToMicro(epsilon float64) int64 { return int64(math.Round(epsilon * microEpsilon)) }

// FromMicro converts millionths of epsilon back to an epsilon.
func FromMicro(m int64) float64 { return float64(m) / microEpsilon }

// Policy is the disclosure-control policy.
type Policy struct {
	Comment string `json:"comment,omitempty"`
	// Threshold: a cell whose perturbed value is below it is suppressed.
	Threshold int `json:"threshold"`
	// MedianMinCount: a median is published only when the perturbed count
	// of its cell reaches it.
	MedianMinCount int         `json:"median_min_count"`
	PTable         []PTableRow `json:"ptable"`
	// Regions is the configured list of region codes (plus "abroad").
	Regions []string `json:"regions"`
	DP      DP       `json:"dp"`
	// ReleaseMinChanges (K): a table of a period is published afresh only
	// when at least K cases' records in it changed since every published
	// table of an overlapping period; otherwise the earlier figures stand.
	// At least the threshold: a difference of fewer records is a small
	// cell that suppression would hide. 0 (tests only) switches it off.
	ReleaseMinChanges int `json:"release_min_changes"`
	// NationalitiesByName is how many nationalities the nationality table
	// names (the most frequent whose perturbed count is published); the
	// others are grouped as "other".
	NationalitiesByName int `json:"nationalities_by_name"`
	// GuardianTargetDays: the children table counts a guardian appointed
	// within this many calendar days of identification as within target.
	GuardianTargetDays int `json:"guardian_target_days"`
}

// maxNoise bounds the perturbation a policy may configure.
const maxNoise = 3

// maxEpsilonPerMonth bounds the privacy ledger's budget: beyond it the
// noise of differential privacy no longer hides a small count.
const maxEpsilonPerMonth = 10

// Load reads File from dir when it holds one, else the
// embedded default, and validates it.
func Load(dir string) (Policy, error) {
	b := defaultPolicy
	if dir != "" {
		f, err := os.ReadFile(filepath.Join(dir, File))
		switch {
		case err == nil:
			b = f
		case !errors.Is(err, fs.ErrNotExist):
			return Policy{}, fmt.Errorf("stats: policy: %w", err)
		}
	}
	var d Policy
	if err := json.Unmarshal(b, &d); err != nil {
		return Policy{}, fmt.Errorf("stats: policy: %w", err)
	}
	if d.DP.MinEpsilon == 0 {
		d.DP.MinEpsilon = defaultMinEpsilon
	}
	if err := d.Validate(); err != nil {
		return Policy{}, err
	}
	return d, nil
}

// Validate checks that the perturbation table is a set of zero-mean
// distributions with bounded noise that never makes a count negative, and
// that it actually perturbs: a table of zeros would publish true counts.
func (d Policy) Validate() error {
	if d.Threshold < 1 {
		return errors.New("stats: policy: threshold must be at least 1")
	}
	if d.MedianMinCount < d.Threshold {
		return errors.New("stats: policy: median_min_count must be at least the threshold")
	}
	if d.ReleaseMinChanges < d.Threshold {
		return errors.New("stats: policy: release_min_changes must be at least the threshold")
	}
	if len(d.PTable) == 0 {
		return errors.New("stats: policy: empty perturbation table")
	}
	perturbs := false
	for i, row := range d.PTable {
		if row.Count != i+1 {
			return fmt.Errorf("stats: policy: ptable row %d must be for count %d", i, i+1)
		}
		var sum, mean float64
		for _, n := range row.Noise {
			if n.P <= 0 || n.V < -maxNoise || n.V > maxNoise {
				return fmt.Errorf("stats: policy: ptable count %d: probabilities must be positive and |noise| <= %d", row.Count, maxNoise)
			}
			if row.Count+n.V < 0 {
				return fmt.Errorf("stats: policy: ptable count %d: noise %d would give a negative count", row.Count, n.V)
			}
			sum += n.P
			mean += n.P * float64(n.V)
			perturbs = perturbs || n.V != 0
		}
		if math.Abs(sum-1) > 1e-9 {
			return fmt.Errorf("stats: policy: ptable count %d: probabilities sum to %g, not 1", row.Count, sum)
		}
		if math.Abs(mean) > 1e-9 {
			return fmt.Errorf("stats: policy: ptable count %d: noise mean %g, not 0", row.Count, mean)
		}
	}
	if !perturbs {
		return errors.New("stats: policy: the perturbation table adds no noise")
	}
	if len(d.Regions) == 0 || !slices.Contains(d.Regions, "abroad") {
		return errors.New("stats: policy: regions must be listed, with abroad")
	}
	if d.DP.EpsilonPerTable <= 0 || d.DP.MaxReleaseEpsilon < d.DP.EpsilonPerTable {
		return errors.New("stats: policy: dp epsilon_per_table must be positive and at most max_release_epsilon")
	}
	if d.DP.EpsilonPerMonth < d.DP.EpsilonPerTable || d.DP.EpsilonPerMonth > maxEpsilonPerMonth {
		return fmt.Errorf("stats: policy: dp epsilon_per_month must be at least epsilon_per_table and at most %g", float64(maxEpsilonPerMonth))
	}
	if !(d.DP.MinEpsilon >= 1/microEpsilon) || d.DP.MinEpsilon > d.DP.EpsilonPerTable {
		return errors.New("stats: policy: dp min_epsilon must be at least 0.000001 and at most epsilon_per_table")
	}
	for _, v := range []float64{d.DP.EpsilonPerTable, d.DP.MaxReleaseEpsilon, d.DP.EpsilonPerMonth, d.DP.MinEpsilon} {
		if math.IsInf(v, 0) || math.IsNaN(v) {
			return errors.New("stats: policy: dp epsilons must be finite")
		}
	}
	if d.NationalitiesByName < 0 || d.GuardianTargetDays < 0 {
		return errors.New("stats: policy: nationalities_by_name and guardian_target_days may not be negative")
	}
	return nil
}

// Perturbation returns the perturbation of a cell of true count n (n > 0) and
// cell key ck in [0, 2^32): the cell key picks a point of [0, 1) and the
// row's cumulative probabilities partition that interval.
func (d Policy) Perturbation(n int64, ck uint32) int {
	if n <= 0 || len(d.PTable) == 0 {
		return 0
	}
	row := d.PTable[len(d.PTable)-1]
	if n <= int64(len(d.PTable)) {
		row = d.PTable[n-1]
	}
	u := float64(ck) / KeySpace
	var cum float64
	for _, x := range row.Noise {
		cum += x.P
		if u < cum {
			return x.V
		}
	}
	return row.Noise[len(row.Noise)-1].V
}

// Published is a disclosure-controlled count.
type Published struct {
	Value      int64
	Suppressed bool
}

// Publish applies the cell-key perturbation and suppression to a cell of
// true count n and key sum ks. A cell without records has no key and
// nothing to perturb: it is suppressed too, so that a small count and an
// empty cell look the same.
func (d Policy) Publish(n int64, ks uint32) Published {
	if n <= 0 {
		// Threshold 0 (no suppression) exists only in tests, where the
		// attack tests switch protection off.
		return Published{Suppressed: d.Threshold > 0}
	}
	v := n + int64(d.Perturbation(n, ks))
	if v < int64(d.Threshold) {
		return Published{Suppressed: true}
	}
	return Published{Value: v}
}
