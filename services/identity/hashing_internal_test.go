package identity

import (
	"context"
	"testing"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/keys"
	"github.com/nrm-project/nrm/pkg/kit"
)

// TestUnknownAccountHashesToo: a login for an unknown email, a known one
// with a wrong password, and one with an over-long password each run
// exactly one password hash and get the same answer, so neither the
// answer nor the work tells whether the account exists.
func TestUnknownAccountHashesToo(t *testing.T) {
	t.Parallel()
	k, err := keys.Open(t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	s, err := newService(Config{DB: dbtest.Open(t, dbtest.SQLite(t), "identity"), Keys: k,
		Argon2: Argon2Params{Time: 1, Memory: 64, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	sys := auth.WithPrincipal(context.Background(), auth.System())
	org, err := s.CreateOrg(sys, NewOrg{Name: "Police", Kind: "police"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateUser(sys, NewUser{OrgID: org.ID, Email: "known@example.org", DisplayName: "K",
		Roles: []string{auth.RoleFrontlineOfficer}, Password: "correct horse battery staple"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, email, password string }{
		{"unknown account", "nobody@example.org", "correct horse battery staple"},
		{"known account, wrong password", "known@example.org", "wrong horse battery staple"},
		{"over-long password", "known@example.org", string(make([]byte, MaxPasswordLen+1))},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := kit.WithClientAddr(context.Background(), "192.0.2."+string(rune('1'+i)))
			before := s.hasher.Hashes()
			_, err := s.Login(ctx, LoginRequest{Email: tc.email, Password: tc.password, OTP: "000000"})
			if kit.AsError(err) != kit.AsError(ErrInvalidCredentials) {
				t.Fatalf("answer %v, want the one invalid_credentials answer", err)
			}
			if n := s.hasher.Hashes() - before; n != 1 {
				t.Fatalf("%d password hashes, want exactly 1", n)
			}
		})
	}
}
