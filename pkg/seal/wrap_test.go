package seal

import (
	"errors"
	"testing"
)

func TestWrapUnwrap(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.String(), func(t *testing.T) {
			f := newCase(t, k)
			if got := f.wrap; len(got) == 0 {
				t.Fatal("empty wrap")
			}
			grants, err := Unwrap(f.org, f.wrap)
			if err != nil {
				t.Fatal(err)
			}
			if len(grants) != len(f.grants) {
				t.Fatalf("got %d grants, want %d", len(grants), len(f.grants))
			}
			want := map[SectionID]KeyGrant{}
			for _, g := range f.grants {
				want[g.ID()] = g
			}
			for _, g := range grants {
				if want[g.ID()] != g {
					t.Fatalf("grant for %v differs", g.ID())
				}
			}
		})
	}
}

func TestUnwrapOnlyWithRightIdentity(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.String(), func(t *testing.T) {
			f := newCase(t, k)
			other := newIdentity(t, k)
			grants, err := Unwrap(other, f.wrap)
			if !errors.Is(err, ErrNotForYou) || grants != nil {
				t.Fatalf("other organisation: Unwrap = %v, %v", grants, err)
			}
			got, err := OpenSections(other, f.orgID, f.macKey, f.wrap, f.stored)
			if !errors.Is(err, ErrNotForYou) || got != nil {
				t.Fatalf("other organisation: OpenSections = %v, %v", got, err)
			}
		})
	}
}

func TestRewrap(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.String(), func(t *testing.T) {
			f := newCase(t, k)
			next := newIdentity(t, k)
			nw, err := Rewrap(f.org, next.PublicKey(), f.wrap)
			if err != nil {
				t.Fatal(err)
			}
			grants, err := Unwrap(next, nw)
			if err != nil || len(grants) != len(f.grants) {
				t.Fatalf("new identity: %d grants, %v", len(grants), err)
			}
			if _, err := Unwrap(f.org, nw); !errors.Is(err, ErrNotForYou) {
				t.Fatalf("old identity opens the new wrap: %v", err)
			}
			f.org, f.wrap = next, nw
			f.remac()
			got, err := OpenSections(next, f.orgID, f.macKey, f.wrap, f.stored)
			if err != nil || !containsCanary(got) {
				t.Fatalf("OpenSections after rewrap: %v", err)
			}
		})
	}
}

func TestWrapRefusesBadGrants(t *testing.T) {
	r := newIdentity(t, KindX25519).PublicKey()
	g := KeyGrant{KeyRef: KeyRef{CaseID: "c", Section: "s", Version: 1}}
	tests := []struct {
		name   string
		grants []KeyGrant
		want   error
	}{
		{"none", nil, ErrNoGrants},
		{"duplicate section", []KeyGrant{g, g}, ErrBadGrant},
		{"duplicate across classes", []KeyGrant{g, {KeyRef: KeyRef{"c", "s", 1, "other"}}}, ErrBadGrant},
		{"no case", []KeyGrant{{KeyRef: KeyRef{Section: "s"}}}, ErrBadGrant},
		{"negative version", []KeyGrant{{KeyRef: KeyRef{CaseID: "c", Section: "s", Version: -1}}}, ErrBadGrant},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Wrap(r, tt.grants); !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
	if _, err := Wrap(Recipient{}, []KeyGrant{g}); err == nil {
		t.Fatal("zero recipient accepted")
	}
}

func TestUnwrapRefusesForeignPayload(t *testing.T) {
	id := newIdentity(t, KindX25519)
	for _, tt := range []struct {
		name    string
		payload []byte
	}{
		{"empty", nil},
		{"bad magic", []byte("nope\x01\x00")},
		{"trailing bytes", append(appendGroups(nil), 0)},
		{"grant list truncated", appendGroups([]group{{class: "c", body: []byte{1, 1, 'c'}}})},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w, err := ageEncrypt(id.PublicKey(), tt.payload)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Unwrap(id, w); !errors.Is(err, ErrBadWrap) {
				t.Fatalf("err = %v, want ErrBadWrap", err)
			}
		})
	}
}

func TestRetentionClasses(t *testing.T) {
	rk := memRetention{"ten-years": randKey(t), "one-year": randKey(t)}
	f := newCase(t, KindX25519, WithRetentionKeys(rk))
	// Move the health section to the short class.
	for i := range f.grants {
		if f.grants[i].Section == "health" {
			f.grants[i].RetentionClass = "one-year"
		}
	}
	var err error
	if f.wrap, err = Wrap(f.org.PublicKey(), f.grants, WithRetentionKeys(rk)); err != nil {
		t.Fatal(err)
	}
	f.remac()

	t.Run("locked without retention keys", func(t *testing.T) {
		if _, err := Unwrap(f.org, f.wrap); !errors.Is(err, ErrRetentionKey) {
			t.Fatalf("err = %v, want ErrRetentionKey", err)
		}
	})
	t.Run("all classes live", func(t *testing.T) {
		got, err := OpenSections(f.org, f.orgID, f.macKey, f.wrap, f.stored, WithRetentionKeys(rk))
		if err != nil || len(got) != 4 {
			t.Fatalf("OpenSections = %d sections, %v", len(got), err)
		}
	})
	t.Run("wrong class key", func(t *testing.T) {
		bad := memRetention{"ten-years": rk["ten-years"], "one-year": randKey(t)}
		if _, err := Unwrap(f.org, f.wrap, WithRetentionKeys(bad)); !errors.Is(err, ErrBadWrap) {
			t.Fatalf("err = %v, want ErrBadWrap", err)
		}
	})
	t.Run("class key deleted", func(t *testing.T) {
		purged := memRetention{"ten-years": rk["ten-years"]}
		grants, err := Unwrap(f.org, f.wrap, WithRetentionKeys(purged))
		if err != nil || len(grants) != 3 {
			t.Fatalf("Unwrap = %d grants, %v; want 3", len(grants), err)
		}
		for _, g := range grants {
			if g.Section == "health" {
				t.Fatal("purged grant returned")
			}
		}
		got, err := OpenSections(f.org, f.orgID, f.macKey, f.wrap, f.stored, WithRetentionKeys(purged))
		if !errors.Is(err, ErrNoGrant) || got != nil {
			t.Fatalf("OpenSections with a purged section = %v, %v", got, err)
		}
	})
}
