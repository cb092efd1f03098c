package event

import (
	"context"
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
