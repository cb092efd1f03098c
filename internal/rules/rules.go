package rules

import (
	"fmt"
	"slices"
	"strings"
)

// Module is the module path every rule is written under.
const Module = "github.com/nrm-project/nrm"

// Package is one package of the graph: its path, the packages it imports
// and every package it depends on, directly or not.
type Package struct {
	ImportPath string
	Imports    []string
	Deps       []string
}

// A rule forbids packages matching From to depend on packages matching To.
type rule struct {
	why  string
	from func(p string) bool
	to   func(from, dep string) bool
	// direct checks only the packages From imports itself: a service
	// reaches its own store through a sibling's store only by importing
	// that service, which the other rules judge.
	direct bool
}

func under(prefixes ...string) func(string) bool {
	return func(p string) bool {
		for _, pre := range prefixes {
			if p == pre || strings.HasPrefix(p, pre+"/") {
				return true
			}
		}
		return false
	}
}

// service returns the service a package belongs to ("" outside services/).
func service(p string) string {
	rest, ok := strings.CutPrefix(p, Module+"/services/")
	if !ok {
		return ""
	}
	name, _, _ := strings.Cut(rest, "/")
	return name
}

// isStore reports whether p is a service's store package (any package
// named store under services/).
func isStore(p string) bool {
	return service(p) != "" && (strings.HasSuffix(p, "/store") || strings.Contains(p, "/store/"))
}

// referralLayers are referral's sub-packages, lowest first, each with the
// siblings it may use: the service on top composes them; none of them
// reaches up into the service or sideways into a sibling not listed.
var referralLayers = map[string][]string{
	"directory": nil,
	"webhooks":  nil,
	"grants":    nil,
	"routing":   {"directory"},
	"notices":   {"webhooks"},
	"external":  {"directory"}, // sections stored in the directory's list form
}

// referralSub returns the referral sub-package p is in ("" for the
// service itself, "-" outside referral).
func referralSub(p string) string {
	rest, ok := strings.CutPrefix(p, Module+"/services/referral")
	switch {
	case !ok || rest != "" && !strings.HasPrefix(rest, "/"):
		return "-"
	case rest == "":
		return ""
	}
	name, _, _ := strings.Cut(rest[1:], "/")
	return name
}

// intakeLayers are intake's sub-packages, each with the siblings it may
// use: the domain (casefile) and the key ring at the bottom, the store over
// them, what the HTTP transports share (transport) over the domain, the
// case record's entry keys (entrykeys) and the three services (cases,
// workflow, oversight) over the store and transport, none of them over
// another; the root package composes them. intaketest is
// the test harness over the root package and is not a layer. A service's
// own folders count as the service (workflow/letters, the decision
// letters' templates, is workflow; cases/grants, the grant API, is cases;
// transport/transporttest, the decoders' fuzz helpers, is transport).
var intakeLayers = map[string][]string{
	"casefile":  nil,
	"keyring":   {"casefile"},
	"store":     {"casefile", "keyring"},
	"transport": {"casefile"},
	"entrykeys": {"casefile", "keyring", "store"},
	"cases":     {"casefile", "keyring", "store", "transport"},
	"workflow":  {"casefile", "keyring", "store", "transport"},
	"oversight": {"casefile", "keyring", "store", "transport"},
}

// intakeSub returns the intake sub-package p is in ("" for the service
// itself, "-" outside intake).
func intakeSub(p string) string {
	rest, ok := strings.CutPrefix(p, Module+"/services/intake")
	switch {
	case !ok || rest != "" && !strings.HasPrefix(rest, "/"):
		return "-"
	case rest == "":
		return ""
	}
	name, _, _ := strings.Cut(rest[1:], "/")
	return name
}

var rules = []rule{
	{"pkg/ is shared infrastructure and imports no service",
		under(Module + "/pkg"),
		func(_, d string) bool { return service(d) != "" }, false},
	{"referral, audit and stats never hold keys or plaintext: no pkg/seal, no age",
		under(Module+"/services/referral", Module+"/services/audit", Module+"/services/stats"),
		func(_, d string) bool { return under(Module+"/pkg/seal", "filippo.io/age")(d) }, false},
	{"stats and referral reach intake only through their own interfaces (adapted in cmd/nrm)",
		under(Module+"/services/stats", Module+"/services/referral"),
		func(_, d string) bool { return under(Module + "/services/intake")(d) }, false},
	{"a service never imports another service's store",
		func(p string) bool { return service(p) != "" },
		func(f, d string) bool { return isStore(d) && service(d) != service(f) }, true},
	{"referral's sub-packages depend only downward: never on the service, only on the siblings below them (referralLayers)",
		func(p string) bool { s := referralSub(p); return s != "" && s != "-" },
		func(f, d string) bool {
			ds := referralSub(d)
			return ds == "" || ds != "-" && ds != referralSub(f) && !slices.Contains(referralLayers[referralSub(f)], ds)
		}, false},
	{"intake's sub-packages depend only downward: never on the service, only on the layers below them (intakeLayers)",
		func(p string) bool { s := intakeSub(p); return s != "" && s != "-" && s != "intaketest" },
		func(f, d string) bool {
			ds := intakeSub(d)
			return ds == "" || ds == "intaketest" || ds != "-" && ds != intakeSub(f) && !slices.Contains(intakeLayers[intakeSub(f)], ds)
		}, false},
}

// Violations lists every dependency that breaks a rule, one line each,
// sorted.
func Violations(pkgs []Package) []string {
	var out []string
	for _, p := range pkgs {
		for _, r := range rules {
			if !r.from(p.ImportPath) {
				continue
			}
			deps := p.Deps
			if r.direct {
				deps = p.Imports
			}
			for _, d := range deps {
				if r.to(p.ImportPath, d) {
					out = append(out, fmt.Sprintf("%s depends on %s: %s", p.ImportPath, d, r.why))
				}
			}
		}
	}
	slices.Sort(out)
	return out
}
