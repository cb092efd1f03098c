package seal

import (
	"bytes"
	"testing"
)

func FuzzOpen(f *testing.F) {
	var key DataKey
	copy(key[:], bytes.Repeat([]byte{7}, 32))
	other, _, err := Seal(baseHeader, []byte("canary-fuzz"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(other))
	f.Add([]byte(other[:sectionOverhead]))
	f.Add([]byte{sectionFormat})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := Open(baseHeader, b, key)
		if err == nil || got != nil {
			t.Fatalf("random bytes opened: %q, %v", got, err)
		}
	})
}

func FuzzWrapPayload(f *testing.F) {
	g := []KeyGrant{{KeyRef: KeyRef{"c", "identity", 1, "ten-years"}, Key: DataKey{1}}}
	plain, err := encodeGrants(g, wrapConfig{})
	if err != nil {
		f.Fatal(err)
	}
	locked, err := encodeGrants(g, wrapConfig{rk: memRetention{"ten-years": bytes.Repeat([]byte{1}, 32)}})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(plain)
	f.Add(locked)
	f.Fuzz(func(t *testing.T, b []byte) {
		groups, err := decodeGroups(b)
		if err != nil {
			return
		}
		grants, err := openGroups(groups, wrapConfig{rk: memRetention{"ten-years": bytes.Repeat([]byte{1}, 32)}})
		if err != nil {
			return
		}
		seen := map[SectionID]bool{}
		for _, g := range grants {
			if g.CaseID == "" || g.Section == "" || g.Version < 0 || seen[g.ID()] {
				t.Fatalf("decoded an invalid grant set")
			}
			seen[g.ID()] = true
		}
	})
}

func FuzzSimplify(f *testing.F) {
	for _, s := range []string{"فاطمة الزهراء الإدريسي", "Fatima Zahra El Idrissi", "Abd El Kader", "Ishaq", "kħ", "ﻻ", "Strauß"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		once := Simplify(s)
		if twice := Simplify(once); twice != once {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, once, twice)
		}
	})
}
