package seal

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestIdentityRoundTrip(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.String(), func(t *testing.T) {
			id := newIdentity(t, k)
			wantPrefix := map[Kind]string{KindHybrid: "age1pq1", KindX25519: "age1"}[k]
			if !strings.HasPrefix(id.Recipient(), wantPrefix) {
				t.Fatalf("recipient %q lacks prefix %q", id.Recipient(), wantPrefix)
			}
			r, err := ParseRecipient(id.Recipient())
			if err != nil || r.Kind() != k || r.String() != id.Recipient() {
				t.Fatalf("ParseRecipient = %v, %v, %v", r.Kind(), r.String() == id.Recipient(), err)
			}
			wk := randKey(t)
			blob, err := WrapIdentity(wk, "org-1", id)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(blob), id.secret()) {
				t.Fatal("wrapped identity carries the secret in clear")
			}
			got, err := UnwrapIdentity(wk, "org-1", blob)
			if err != nil {
				t.Fatal(err)
			}
			if got.Kind() != k || got.Recipient() != id.Recipient() {
				t.Fatal("unwrapped identity differs")
			}
			// The unwrapped identity reads what was wrapped to the original.
			dk := DataKey{1}
			w, err := Wrap(id.PublicKey(), []KeyGrant{{KeyRef: KeyRef{CaseID: "c", Section: "s"}, Key: dk}})
			if err != nil {
				t.Fatal(err)
			}
			grants, err := Unwrap(got, w)
			if err != nil || len(grants) != 1 || grants[0].Key != dk {
				t.Fatalf("Unwrap with unwrapped identity: %v", err)
			}
		})
	}
}

func TestUnwrapIdentityRefuses(t *testing.T) {
	id := newIdentity(t, KindHybrid)
	wk := randKey(t)
	blob, err := WrapIdentity(wk, "org-1", id)
	if err != nil {
		t.Fatal(err)
	}
	flipKind := append([]byte(nil), blob...)
	flipKind[1] = byte(KindX25519)
	tests := []struct {
		name  string
		key   []byte
		org   string
		blob  []byte
		wantE error
	}{
		{"other organisation", wk, "org-2", blob, ErrWrappedIdent},
		{"other key", randKey(t), "org-1", blob, ErrWrappedIdent},
		{"kind relabelled", wk, "org-1", flipKind, ErrWrappedIdent},
		{"truncated", wk, "org-1", blob[:len(blob)-1], ErrWrappedIdent},
		{"empty", wk, "org-1", nil, ErrWrappedIdent},
		{"short key", wk[:16], "org-1", blob, ErrBadKeyLength},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := UnwrapIdentity(tt.key, tt.org, tt.blob)
			if !errors.Is(err, tt.wantE) || got != nil {
				t.Fatalf("UnwrapIdentity = %v, %v; want %v", got, err, tt.wantE)
			}
		})
	}
}

func TestKindsNotMixed(t *testing.T) {
	hy, x := newIdentity(t, KindHybrid), newIdentity(t, KindX25519)
	grants := []KeyGrant{{KeyRef: KeyRef{CaseID: "c", Section: "identity"}, Key: DataKey{7}}}
	wrapHy, err := Wrap(hy.PublicKey(), grants)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		run  func() error
	}{
		{"parse x25519 recipient in hybrid deployment", func() error {
			_, err := ParseRecipientKind(KindHybrid, x.Recipient())
			return err
		}},
		{"parse hybrid recipient in x25519 deployment", func() error {
			_, err := ParseRecipientKind(KindX25519, hy.Recipient())
			return err
		}},
		{"rewrap hybrid wrap to x25519", func() error {
			_, err := Rewrap(hy, x.PublicKey(), wrapHy)
			return err
		}},
		{"unwrap hybrid wrap with x25519 identity", func() error {
			_, err := Unwrap(x, wrapHy)
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.run(); !errors.Is(err, ErrKindMismatch) {
				t.Fatalf("err = %v, want ErrKindMismatch", err)
			}
		})
	}
	if _, err := ParseRecipientKind(KindHybrid, hy.Recipient()); err != nil {
		t.Fatalf("same kind refused: %v", err)
	}
}

func TestParseRecipientRefuses(t *testing.T) {
	for _, s := range []string{"", "age1", "age1pq1", "AGE-SECRET-KEY-1QQQ", "ssh-ed25519 AAAA", "age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq"} {
		t.Run(s, func(t *testing.T) {
			if _, err := ParseRecipient(s); !errors.Is(err, ErrBadRecipient) {
				t.Fatalf("err = %v, want ErrBadRecipient", err)
			}
		})
	}
}

func TestSecretsNotFormatted(t *testing.T) {
	id := newIdentity(t, KindX25519)
	dk := DataKey{0xAB, 0xCD, 0xEF}
	g := KeyGrant{Key: dk}
	for _, s := range []string{
		fmt.Sprint(id), fmt.Sprintf("%v %+v %#v %s", id, id, id, id),
		fmt.Sprint(dk), fmt.Sprintf("%v %+v %#v %x", dk, dk, dk, dk), fmt.Sprintf("%+v %#v", g, g),
	} {
		if strings.Contains(s, "AGE-SECRET") || strings.Contains(strings.ToLower(s), "abcdef") || strings.Contains(s, "171") {
			t.Fatalf("formatted value reveals a secret: %s", s)
		}
	}
}
