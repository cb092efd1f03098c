package seal

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"sync/atomic"
	"testing"

	"filippo.io/age"
)

var kinds = []Kind{KindHybrid, KindX25519}

func newIdentity(t testing.TB, k Kind) *OrgIdentity {
	t.Helper()
	id, err := GenerateIdentity(k)
	if err != nil {
		t.Fatalf("GenerateIdentity(%v): %v", k, err)
	}
	return id
}

func randKey(t testing.TB) []byte {
	t.Helper()
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		t.Fatal(err)
	}
	return k
}

// countDecryptions makes id count the age decryptions attempted with it.
func countDecryptions(id *OrgIdentity) *atomic.Int64 {
	c := &atomic.Int64{}
	id.id = countingIdentity{inner: id.id, n: c}
	return c
}

type countingIdentity struct {
	inner age.Identity
	n     *atomic.Int64
}

func (c countingIdentity) Unwrap(s []*age.Stanza) ([]byte, error) {
	c.n.Add(1)
	return c.inner.Unwrap(s)
}

// memRetention is an in-memory RetentionKeys whose classes can be purged.
type memRetention map[string][]byte

func (m memRetention) RetentionKey(class string) ([]byte, error) {
	k, ok := m[class]
	if !ok {
		return nil, fmt.Errorf("class key: %w", ErrPurged)
	}
	return k, nil
}

// caseFixture is one case sealed in four sections, wrapped for one org.
type caseFixture struct {
	org      *OrgIdentity
	orgID    string
	macKey   []byte
	wrap     []byte
	stored   []StoredSection
	plain    map[SectionID][]byte
	grants   []KeyGrant
	sections []Header
}

func newCase(t testing.TB, k Kind, opts ...WrapOption) *caseFixture {
	t.Helper()
	f := &caseFixture{org: newIdentity(t, k), orgID: "org-1", macKey: randKey(t), plain: map[SectionID][]byte{}}
	for i, name := range []string{"identity", "narrative", "health", "legal"} {
		h := Header{CaseID: "case-42", Section: name, Version: 1, AuthorOrg: "org-1"}
		pt := []byte(fmt.Sprintf("canary-%s-%d", name, i))
		s, dk, err := Seal(h, pt)
		if err != nil {
			t.Fatalf("Seal: %v", err)
		}
		f.sections = append(f.sections, h)
		f.plain[h.ID()] = pt
		f.stored = append(f.stored, StoredSection{Header: h, Sealed: s})
		f.grants = append(f.grants, KeyGrant{KeyRef: KeyRef{h.CaseID, h.Section, h.Version, "ten-years"}, Key: dk})
	}
	var err error
	f.wrap, err = Wrap(f.org.PublicKey(), f.grants, opts...)
	if err != nil {
		t.Fatalf("Wrap: %v", err)
	}
	f.remac()
	return f
}

// remac writes the MACs the server would write for the current wrap.
func (f *caseFixture) remac() {
	for i := range f.stored {
		s := &f.stored[i]
		s.MAC = SectionMAC(f.macKey, s.Header, s.Sealed, f.wrap, f.orgID)
	}
}

func containsCanary(m map[SectionID][]byte) bool {
	for _, v := range m {
		if bytes.Contains(v, []byte("canary")) {
			return true
		}
	}
	return false
}
