package seal

import (
	"bytes"
	"errors"
	"testing"
)

func TestOpenSectionsOneDecryption(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.String(), func(t *testing.T) {
			f := newCase(t, k)
			n := countDecryptions(f.org)
			got, err := OpenSections(f.org, f.orgID, f.macKey, f.wrap, f.stored)
			if err != nil {
				t.Fatal(err)
			}
			if n.Load() != 1 {
				t.Fatalf("%d age decryptions for one read, want 1", n.Load())
			}
			for id, want := range f.plain {
				if !bytes.Equal(got[id], want) {
					t.Fatalf("section %v differs", id.Section)
				}
			}
		})
	}
}

// forge builds, with the organisation's public key only, a wrap and sections
// that age and XChaCha20-Poly1305 would accept.
func forge(t *testing.T, f *caseFixture) (wrap []byte, sections []StoredSection) {
	t.Helper()
	var grants []KeyGrant
	for _, s := range f.stored {
		sealed, dk, err := Seal(s.Header, []byte("planted-by-attacker"))
		if err != nil {
			t.Fatal(err)
		}
		grants = append(grants, KeyGrant{KeyRef: KeyRef{s.Header.CaseID, s.Header.Section, s.Header.Version, "ten-years"}, Key: dk})
		sections = append(sections, StoredSection{Header: s.Header, Sealed: sealed, MAC: s.MAC})
	}
	wrap, err := Wrap(f.org.PublicKey(), grants)
	if err != nil {
		t.Fatal(err)
	}
	return wrap, sections
}

func TestOpenSectionsRefusesForgeries(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.String(), func(t *testing.T) {
			f := newCase(t, k)
			forgedWrap, forgedSections := forge(t, f)
			// The forgery is well formed: without the MAC it would be read.
			if _, err := Unwrap(f.org, forgedWrap); err != nil {
				t.Fatalf("forged wrap does not decrypt: %v", err)
			}
			moved := func(i int, mod func(*Header)) []StoredSection {
				s := append([]StoredSection(nil), f.stored...)
				mod(&s[i].Header)
				return s
			}
			flipped := append([]StoredSection(nil), f.stored...)
			flipped[1].Sealed = bytes.Clone(flipped[1].Sealed)
			flipped[1].Sealed[40] ^= 1
			swapped := append([]StoredSection(nil), f.stored...)
			swapped[0].Sealed, swapped[1].Sealed = f.stored[1].Sealed, f.stored[0].Sealed
			badMAC := append([]StoredSection(nil), f.stored...)
			badMAC[3].MAC = nil

			tests := []struct {
				name     string
				orgID    string
				wrap     []byte
				sections []StoredSection
			}{
				{"wrap and ciphertexts replaced", f.orgID, forgedWrap, forgedSections},
				{"wrap replaced", f.orgID, forgedWrap, f.stored},
				{"section moved to another case", f.orgID, f.wrap, moved(0, func(h *Header) { h.CaseID = "case-43" })},
				{"section renamed", f.orgID, f.wrap, moved(2, func(h *Header) { h.Section = "legal" })},
				{"section version changed", f.orgID, f.wrap, moved(1, func(h *Header) { h.Version = 2 })},
				{"ciphertext bit flipped", f.orgID, f.wrap, flipped},
				{"ciphertexts swapped", f.orgID, f.wrap, swapped},
				{"MAC missing", f.orgID, f.wrap, badMAC},
				{"MAC of another organisation", "org-2", f.wrap, f.stored},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					n := countDecryptions(f.org)
					got, err := OpenSections(f.org, tt.orgID, f.macKey, tt.wrap, tt.sections)
					if !errors.Is(err, ErrMAC) || got != nil {
						t.Fatalf("OpenSections = %v, %v; want ErrMAC", got, err)
					}
					if n.Load() != 0 {
						t.Fatalf("%d age decryptions before the MAC check failed", n.Load())
					}
				})
			}
		})
	}
}

func TestOpenSectionsAllOrNothing(t *testing.T) {
	f := newCase(t, KindX25519)
	// Only a holder of the MAC key can get past the MAC; even then a broken
	// section yields no plaintext for the others.
	f.stored[3].Sealed = bytes.Clone(f.stored[3].Sealed)
	f.stored[3].Sealed[len(f.stored[3].Sealed)-1] ^= 1
	f.remac()
	got, err := OpenSections(f.org, f.orgID, f.macKey, f.wrap, f.stored)
	if !errors.Is(err, ErrOpen) || got != nil {
		t.Fatalf("OpenSections = %v, %v; want ErrOpen and nothing", got, err)
	}

	g := newCase(t, KindX25519)
	extra, _, err := Seal(Header{CaseID: "case-42", Section: "legal", Version: 2, AuthorOrg: "org-1"}, []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	g.stored = append(g.stored, StoredSection{Header: Header{CaseID: "case-42", Section: "legal", Version: 2, AuthorOrg: "org-1"}, Sealed: extra})
	g.remac()
	got, err = OpenSections(g.org, g.orgID, g.macKey, g.wrap, g.stored)
	if !errors.Is(err, ErrNoGrant) || got != nil {
		t.Fatalf("OpenSections with an ungranted section = %v, %v; want ErrNoGrant", got, err)
	}
}

func TestSectionMACBindsEveryField(t *testing.T) {
	key := randKey(t)
	h, ct, w, org := baseHeader, []byte("ciphertext"), []byte("wrap"), "org-1"
	mac := SectionMAC(key, h, ct, w, org)
	if err := CheckSectionMAC(key, h, ct, w, org, mac); err != nil {
		t.Fatalf("genuine MAC refused: %v", err)
	}
	other := func(f func(*Header)) Header { x := h; f(&x); return x }
	tests := []struct {
		name string
		key  []byte
		h    Header
		ct   []byte
		w    []byte
		org  string
	}{
		{"key", randKey(t), h, ct, w, org},
		{"no key", nil, h, ct, w, org},
		{"case", key, other(func(x *Header) { x.CaseID = "c2" }), ct, w, org},
		{"section", key, other(func(x *Header) { x.Section = "health" }), ct, w, org},
		{"version", key, other(func(x *Header) { x.Version++ }), ct, w, org},
		{"author", key, other(func(x *Header) { x.AuthorOrg = "org-2" }), ct, w, org},
		{"ciphertext", key, h, []byte("ciphertexT"), w, org},
		{"wrap", key, h, ct, []byte("wraP"), org},
		{"organisation", key, h, ct, w, "org-2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := CheckSectionMAC(tt.key, tt.h, tt.ct, tt.w, tt.org, mac); !errors.Is(err, ErrMAC) {
				t.Fatalf("err = %v, want ErrMAC", err)
			}
		})
	}
}

func TestWrapMAC(t *testing.T) {
	key := randKey(t)
	mac := WrapMAC(key, "case-42", "org-1", []byte("wrap"))
	tests := []struct {
		name, caseID, org string
		wrap              []byte
		ok                bool
	}{
		{"genuine", "case-42", "org-1", []byte("wrap"), true},
		{"other case", "case-43", "org-1", []byte("wrap"), false},
		{"other org", "case-42", "org-2", []byte("wrap"), false},
		{"other wrap", "case-42", "org-1", []byte("wrap2"), false},
		{"boundary shift", "case-42o", "rg-1", []byte("wrap"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckWrapMAC(key, tt.caseID, tt.org, tt.wrap, mac)
			if (err == nil) != tt.ok || (!tt.ok && !errors.Is(err, ErrMAC)) {
				t.Fatalf("CheckWrapMAC = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestOpenSectionsNothingRequested(t *testing.T) {
	f := newCase(t, KindX25519)
	n := countDecryptions(f.org)
	got, err := OpenSections(f.org, f.orgID, f.macKey, []byte("not even age"), nil)
	if err != nil || len(got) != 0 || n.Load() != 0 {
		t.Fatalf("OpenSections(no sections) = %v, %v after %d decryptions", got, err, n.Load())
	}
}
