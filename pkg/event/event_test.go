package event

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/kit"
)

func TestRecorderFillsActorAndHashesAddress(t *testing.T) {
	ctx := kit.WithClientAddr(kit.WithRequestID(context.Background(), "req-12345678"), "203.0.113.7")
	ctx = auth.WithPrincipal(ctx, auth.Principal{UserID: "u1", OrgID: "o1", Roles: []string{"org_admin", "auditor"}})
	r := Recorder{ClientKey: []byte("k")}
	e := r.New(ctx, "identity.login", "user", "u1", Allowed)
	if err := e.Validate(); err != nil {
		t.Fatal(err)
	}
	if e.ActorUser != "u1" || e.ActorOrg != "o1" || e.ActorRole != "auditor,org_admin" || e.RequestID != "req-12345678" {
		t.Fatalf("event %+v", e)
	}
	if e.ClientHash == "" || strings.Contains(e.ClientHash, "203.0.113.7") {
		t.Fatalf("client hash %q", e.ClientHash)
	}
	if other := (Recorder{ClientKey: []byte("other")}).New(ctx, "identity.login", "", "", Allowed); other.ClientHash == e.ClientHash {
		t.Fatal("client hash does not depend on the key")
	}
}

func TestValidateRefusesFreeText(t *testing.T) {
	base := Recorder{}.New(context.Background(), "identity.login", "user", "u1", Denied)
	cases := map[string]func(*Audit){
		"name in object id":   func(e *Audit) { e.ObjectID = "Fatima Zahra" },
		"sentence as action":  func(e *Audit) { e.Action = "viewed the file of a victim" },
		"action without dot":  func(e *Audit) { e.Action = "login" },
		"unknown outcome":     func(e *Audit) { e.Outcome = "maybe" },
		"long object type":    func(e *Audit) { e.ObjectType = strings.Repeat("x", 129) },
		"newline in request":  func(e *Audit) { e.RequestID = "a\nb" },
		"arabic in actor org": func(e *Audit) { e.ActorOrg = "فاطمة" },
		"no time":             func(e *Audit) { e.Time = time.Time{} },
	}
	if err := base.Validate(); err != nil {
		t.Fatalf("base event invalid: %v", err)
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			e := base
			mutate(&e)
			if err := e.Validate(); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

// The written-out checks accept exactly what their patterns accept.
var (
	actionPattern = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$`)
	codePattern   = regexp.MustCompile(`^[A-Za-z0-9._:/-]{0,128}$`)
	rolesPattern  = regexp.MustCompile(`^[a-z_,]{0,256}$`)
)

func FuzzCodeChecksMatchPatterns(f *testing.F) {
	for _, s := range []string{"", "intake.case.read", "intake", "intake.", ".read", "a.b", "a..b", "A.b", "a.1b", "a_1.b_2",
		"3f2c-uuid:x/y", "Ali Baba", "frontline_officer,guardian", "é.a", strings.Repeat("a", 128), strings.Repeat("a", 129),
		strings.Repeat("a,", 128), strings.Repeat("a,", 129), "a.b\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := isAction(s), actionPattern.MatchString(s); got != want {
			t.Errorf("isAction(%q) = %v, pattern %v", s, got, want)
		}
		if got, want := isCode(s), codePattern.MatchString(s); got != want {
			t.Errorf("isCode(%q) = %v, pattern %v", s, got, want)
		}
		if got, want := isRoles(s), rolesPattern.MatchString(s); got != want {
			t.Errorf("isRoles(%q) = %v, pattern %v", s, got, want)
		}
	})
}

// Ordered ids are version 7 UUIDs whose text sorts in the order they were
// made (to the millisecond), and never repeat.
func TestNewOrderedID(t *testing.T) {
	re := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	prev := ""
	for i := range 2000 {
		id := NewOrderedID()
		if !re.MatchString(id) || seen[id] {
			t.Fatalf("id %d: %q malformed or repeated", i, id)
		}
		seen[id] = true
		if i%500 == 0 {
			time.Sleep(2 * time.Millisecond)
			if id <= prev {
				t.Fatalf("%q made after %q sorts before it", id, prev)
			}
			prev = id
		}
	}
	ms, err := strconv.ParseInt(strings.ReplaceAll(NewOrderedID()[:13], "-", ""), 16, 64)
	if err != nil || time.Since(time.UnixMilli(ms)).Abs() > time.Minute {
		t.Fatalf("time in id: %d (%v)", ms, err)
	}
}
