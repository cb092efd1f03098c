package seal

import (
	"bytes"
	"errors"
	"testing"
)

var baseHeader = Header{CaseID: "case-42", Section: "narrative", Version: 3, AuthorOrg: "org-1"}

func TestSealOpen(t *testing.T) {
	tests := []struct {
		name string
		pt   []byte
	}{
		{"empty", []byte{}},
		{"text", []byte("canary-narrative")},
		{"large", bytes.Repeat([]byte("x"), 1<<16)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, k, err := Seal(baseHeader, tt.pt)
			if err != nil {
				t.Fatal(err)
			}
			if len(tt.pt) > 0 && bytes.Contains(s, tt.pt) {
				t.Fatal("sealed section contains the plaintext")
			}
			got, err := Open(baseHeader, s, k)
			if err != nil || !bytes.Equal(got, tt.pt) {
				t.Fatalf("Open = %q, %v", got, err)
			}
		})
	}
}

func TestSealFreshKeyAndNonce(t *testing.T) {
	s1, k1, err := Seal(baseHeader, []byte("same"))
	if err != nil {
		t.Fatal(err)
	}
	s2, k2, err := Seal(baseHeader, []byte("same"))
	if err != nil {
		t.Fatal(err)
	}
	if k1 == k2 || bytes.Equal(s1, s2) {
		t.Fatal("two seals share a key or a ciphertext")
	}
}

func TestOpenRefusesMovedSection(t *testing.T) {
	s, k, err := Seal(baseHeader, []byte("canary"))
	if err != nil {
		t.Fatal(err)
	}
	moved := func(f func(*Header)) Header { h := baseHeader; f(&h); return h }
	tests := []struct {
		name string
		h    Header
	}{
		{"other case", moved(func(h *Header) { h.CaseID = "case-43" })},
		{"other section", moved(func(h *Header) { h.Section = "health" })},
		{"other version", moved(func(h *Header) { h.Version = 2 })},
		{"other author", moved(func(h *Header) { h.AuthorOrg = "org-2" })},
		{"field boundary shifted", moved(func(h *Header) { h.CaseID, h.Section = "case-42n", "arrative" })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Open(tt.h, s, k)
			if !errors.Is(err, ErrOpen) || got != nil {
				t.Fatalf("Open = %q, %v; want ErrOpen and no plaintext", got, err)
			}
		})
	}
}

func TestOpenRefusesTruncation(t *testing.T) {
	s, k, err := Seal(baseHeader, []byte("canary-truncation"))
	if err != nil {
		t.Fatal(err)
	}
	for n := 0; n < len(s); n++ {
		got, err := Open(baseHeader, s[:n], k)
		if err == nil || got != nil {
			t.Fatalf("truncated to %d bytes: Open = %q, %v", n, got, err)
		}
	}
	if _, err := Open(baseHeader, append(bytes.Clone(s), 0), k); err == nil {
		t.Fatal("extended ciphertext opened")
	}
}

func TestOpenRefusesBitFlips(t *testing.T) {
	s, k, err := Seal(baseHeader, []byte("canary-flip"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range s {
		for bit := range 8 {
			c := bytes.Clone(s)
			c[i] ^= 1 << bit
			if got, err := Open(baseHeader, c, k); err == nil || got != nil {
				t.Fatalf("byte %d bit %d flipped: Open = %q, %v", i, bit, got, err)
			}
		}
	}
}

func TestOpenRefusesWrongKey(t *testing.T) {
	s, k, err := Seal(baseHeader, []byte("canary"))
	if err != nil {
		t.Fatal(err)
	}
	k[0] ^= 1
	if got, err := Open(baseHeader, s, k); !errors.Is(err, ErrOpen) || got != nil {
		t.Fatalf("Open with wrong key = %q, %v", got, err)
	}
}

func TestSealRefusesBadHeader(t *testing.T) {
	tests := []struct {
		name string
		h    Header
	}{
		{"no case", Header{Section: "s", AuthorOrg: "o"}},
		{"no section", Header{CaseID: "c", AuthorOrg: "o"}},
		{"no author", Header{CaseID: "c", Section: "s"}},
		{"negative version", Header{CaseID: "c", Section: "s", AuthorOrg: "o", Version: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := Seal(tt.h, []byte("x")); !errors.Is(err, ErrBadHeader) {
				t.Fatalf("Seal err = %v, want ErrBadHeader", err)
			}
			if _, err := Open(tt.h, make([]byte, 64), DataKey{}); !errors.Is(err, ErrBadHeader) {
				t.Fatalf("Open err = %v, want ErrBadHeader", err)
			}
		})
	}
}

func TestReseal(t *testing.T) {
	s, k, err := Seal(baseHeader, []byte("canary-rekey"))
	if err != nil {
		t.Fatal(err)
	}
	ns, nk, err := Reseal(baseHeader, s, k)
	if err != nil {
		t.Fatal(err)
	}
	if nk == k {
		t.Fatal("Reseal kept the data key")
	}
	if got, err := Open(baseHeader, ns, nk); err != nil || string(got) != "canary-rekey" {
		t.Fatalf("new key: Open = %q, %v", got, err)
	}
	if got, err := Open(baseHeader, ns, k); err == nil || got != nil {
		t.Fatal("old key opens the resealed section")
	}
	if _, _, err := Reseal(Header{CaseID: "x", Section: "narrative", Version: 3, AuthorOrg: "org-1"}, s, k); !errors.Is(err, ErrOpen) {
		t.Fatalf("Reseal under another header: %v", err)
	}
}
