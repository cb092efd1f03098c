package notice

import (
	"testing"
	"time"
)

func TestValidate(t *testing.T) {
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	ok := Notice{ID: ID("x"), Org: "0b5f7f1e-9a4e-4a43-8f2c-5f0e3b1d2c4a", Role: "decision_maker",
		Kind: KindDecisionDueSoon, Detail: "rg", ObjectType: ObjectCase,
		ObjectID: "7d1e1f0a-1c2b-4d3e-9f8a-0b1c2d3e4f5a", Due: "2026-12-03", CreatedAt: at}
	tests := []struct {
		name string
		edit func(*Notice)
		ok   bool
	}{
		{"valid", func(*Notice) {}, true},
		{"user of an org", func(n *Notice) { n.Role, n.User = "", "u-1" }, true},
		{"national desk", func(n *Notice) { n.Org, n.Role = "", RoleNationalDesk }, true},
		{"referral kind", func(n *Notice) { n.Kind, n.ObjectType = "referral.offered", ObjectReferral }, true},
		{"no recipient", func(n *Notice) { n.Org, n.Role = "", "" }, false},
		{"another role without org", func(n *Notice) { n.Org = "" }, false},
		{"user and role", func(n *Notice) { n.User = "u-1" }, false},
		{"unknown kind", func(n *Notice) { n.Kind = "case.gossip" }, false},
		{"free text detail", func(n *Notice) { n.Detail = "Amina was moved" }, false},
		{"name as object id", func(n *Notice) { n.ObjectID = "Amina Yusuf" }, false},
		{"bad due", func(n *Notice) { n.Due = "next week" }, false},
		{"bad object type", func(n *Notice) { n.ObjectType = "person" }, false},
		{"no id", func(n *Notice) { n.ID = "" }, false},
		{"no time", func(n *Notice) { n.CreatedAt = time.Time{} }, false},
		{"account recovery", func(n *Notice) {
			n.Kind, n.Detail, n.ObjectType, n.Due = KindAccountRecovery, RecoveryPasswordReset, ObjectUser, ""
		}, true},
		{"account recovery of a case", func(n *Notice) { n.Kind, n.Detail, n.Due = KindAccountRecovery, RecoveryPasswordReset, "" }, false},
		{"account recovery, unknown detail", func(n *Notice) {
			n.Kind, n.Detail, n.ObjectType, n.Due = KindAccountRecovery, "password_emailed", ObjectUser, ""
		}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := ok
			tc.edit(&n)
			if err := n.Validate(); (err == nil) != tc.ok {
				t.Fatalf("Validate() = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

func TestIDIsStable(t *testing.T) {
	if ID("a", "b") != ID("a", "b") || ID("a", "b") == ID("ab") {
		t.Fatal("ID must depend on its parts, and only on them")
	}
	if len(ID("a")) != 36 {
		t.Fatalf("ID %q is not a UUID", ID("a"))
	}
}
