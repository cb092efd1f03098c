package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

// TestTOTPCommand: nrm totp prints the code the server will accept for an
// enrolment URI, read from stdin or the argument; anything else is a usage
// error.
func TestTOTPCommand(t *testing.T) {
	t.Parallel()
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "NRM", AccountName: "officer@police.demo"})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		args  []string
		stdin string
		code  int
	}{
		{"uri on stdin", []string{"totp"}, key.URL() + "\n", 0},
		{"uri as argument", []string{"totp", key.URL()}, "", 0},
		{"not a uri", []string{"totp", "https://example.org"}, "", 2},
		{"empty stdin", []string{"totp"}, "", 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb syncBuffer
			if got := run(context.Background(), tc.args, strings.NewReader(tc.stdin), &out, &errb); got != tc.code {
				t.Fatalf("exit %d, want %d: %s", got, tc.code, errb.String())
			}
			if tc.code != 0 {
				return
			}
			ok, err := totp.ValidateCustom(strings.TrimSpace(out.String()), key.Secret(), time.Now(), totp.ValidateOpts{Period: 30, Skew: 1, Digits: 6})
			if err != nil || !ok {
				t.Fatalf("printed %q, not a current code", out.String())
			}
		})
	}
}
