package routing

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// Embedded is the routing.json shipped in the binary, the default.
//
//go:embed routing.json
var Embedded []byte

// ServiceTypes are the needs and service types a provider can offer.
var ServiceTypes = []string{
	"shelter", "medical", "mental_health", "psychosocial", "legal_aid", "interpretation",
	"return_reintegration", "vocational_training", "employment", "child_protection",
	"documentation", "family_tracing", "material_assistance",
}

// Urgencies, most urgent first.
var Urgencies = []string{"emergency", "high", "normal"}

// File is the name of the routing configuration; a file of this name
// in the --policies directory replaces the embedded default as a whole.
const File = "routing.json"

// Policy is the configurable part of the routing rule and the referral
// lifecycle. See doc.go for how the score is computed.
type Policy struct {
	Regions       []string            `json:"regions"`
	Adjacency     map[string][]string `json:"adjacency"`
	Deadlines     map[string]Duration `json:"deadlines"`
	FanOut        map[string]int      `json:"fan_out"`
	MaxFanOut     int                 `json:"max_fan_out"`
	MaxCandidates int                 `json:"max_candidates"`
	PlaceBased    []string            `json:"place_based"`
	Sections      map[string][]string `json:"sections"`
	Weights       Weights             `json:"weights"`
	SlowResponse  Duration            `json:"slow_response"`
	ExpiringSoon  Duration            `json:"expiring_soon"`
	LegalBases    []string            `json:"legal_bases"`
	// Country is the deployment's own ISO 3166-1 alpha-2 code: an external
	// referral to any other country is cross-border and needs a second
	// person's approval. Empty: every country destination is cross-border.
	Country string `json:"country,omitempty"`
}

// Weights are the points of each ranking criterion.
type Weights struct {
	SameRegion          float64 `json:"same_region"`
	NeighbourRegion     float64 `json:"neighbour_region"`
	National            float64 `json:"national"`
	LanguageMatch       float64 `json:"language_match"`
	AlwaysOpenEmergency float64 `json:"always_open_emergency"`
	Load                float64 `json:"load"`          // subtracted in proportion to places taken
	ResponseTime        float64 `json:"response_time"` // subtracted in proportion to median response / slow_response
}

// Duration is a time.Duration written as "2h" in JSON.
type Duration time.Duration

// UnmarshalJSON parses a Go duration string.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration must be a string like \"2h\"")
	}
	v, err := time.ParseDuration(s)
	if err != nil || v <= 0 {
		return fmt.Errorf("bad duration %q", s)
	}
	*d = Duration(v)
	return nil
}

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// Load reads routing.json from dir when present there, and the
// embedded default otherwise.
func Load(dir string) (Policy, error) {
	b := Embedded
	if dir != "" {
		f, err := os.ReadFile(filepath.Join(dir, File))
		switch {
		case err == nil:
			b = f
		case !errors.Is(err, fs.ErrNotExist):
			return Policy{}, fmt.Errorf("referral: routing: %w", err)
		}
	}
	return Parse(b)
}

// Parse parses and checks a routing configuration.
func Parse(b []byte) (Policy, error) {
	var r Policy
	if err := json.Unmarshal(b, &r); err != nil {
		return Policy{}, fmt.Errorf("referral: routing: %w", err)
	}
	if err := r.validate(); err != nil {
		return Policy{}, fmt.Errorf("referral: routing: %w", err)
	}
	return r, nil
}

func (r Policy) validate() error {
	if len(r.Regions) == 0 {
		return errors.New("no regions")
	}
	for reg, ns := range r.Adjacency {
		for _, n := range append([]string{reg}, ns...) {
			if !slices.Contains(r.Regions, n) {
				return fmt.Errorf("adjacency names unknown region %q", n)
			}
		}
	}
	for _, u := range Urgencies {
		if r.Deadlines[u] <= 0 {
			return fmt.Errorf("no deadline for urgency %q", u)
		}
		if r.FanOut[u] < 1 || r.FanOut[u] > r.MaxFanOut {
			return fmt.Errorf("fan_out of %q must be between 1 and max_fan_out", u)
		}
	}
	if r.MaxCandidates < r.MaxFanOut {
		return errors.New("max_candidates must be at least max_fan_out")
	}
	if len(r.Sections["default"]) == 0 {
		return errors.New("sections: no default")
	}
	for svc, secs := range r.Sections {
		if svc != "default" && !slices.Contains(ServiceTypes, svc) {
			return fmt.Errorf("sections: unknown service %q", svc)
		}
		for _, s := range secs {
			if !slices.Contains(sectionNames, s) {
				return fmt.Errorf("sections: unknown section %q", s)
			}
		}
	}
	for _, s := range r.PlaceBased {
		if !slices.Contains(ServiceTypes, s) {
			return fmt.Errorf("place_based: unknown service %q", s)
		}
	}
	if r.SlowResponse <= 0 || r.ExpiringSoon <= 0 || len(r.LegalBases) == 0 {
		return errors.New("slow_response, expiring_soon and legal_bases are required")
	}
	return nil
}

var sectionNames = []string{"identity", "narrative", "health", "legal"}

// SectionsFor returns the case sections a provider of svc needs.
func (r Policy) SectionsFor(svc string) []string {
	if s, ok := r.Sections[svc]; ok {
		return slices.Clone(s)
	}
	return slices.Clone(r.Sections["default"])
}

func (r Policy) placeBased(svc string) bool { return slices.Contains(r.PlaceBased, svc) }

func (r Policy) ValidRegion(code string) bool { return slices.Contains(r.Regions, code) }

func (r Policy) neighbours(a, b string) bool { return slices.Contains(r.Adjacency[a], b) }
