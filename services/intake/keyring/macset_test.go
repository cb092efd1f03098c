package keyring

import (
	"bytes"
	"errors"
	"maps"
	"testing"

	"github.com/nrm-project/nrm/pkg/seal"
)

func TestSectionMACsRoundTrip(t *testing.T) {
	t.Parallel()
	const caseID = "7f1c4e1a-2b7d-4c9e-9a51-0c3f5e2d8b12"
	macs := map[seal.SectionID][]byte{
		{CaseID: caseID, Section: "narrative", Version: 0}: bytes.Repeat([]byte{3}, 32),
		{CaseID: caseID, Section: "identity", Version: 0}:  bytes.Repeat([]byte{1}, 32),
		{CaseID: caseID, Section: "legal", Version: 300}:   bytes.Repeat([]byte{2}, 32),
	}
	b := EncodeMACs(macs)
	if !bytes.Equal(b, EncodeMACs(maps.Clone(macs))) {
		t.Fatal("the same MACs encode to different bytes")
	}
	got, err := DecodeMACs(caseID, b)
	if err != nil || !maps.EqualFunc(got, macs, bytes.Equal) {
		t.Fatalf("decoded %v (%v), want %v", got, err, macs)
	}
	if got, err := DecodeMACs(caseID, nil); err != nil || len(got) != 0 {
		t.Fatalf("no MACs decoded as %v (%v)", got, err)
	}
	// Cut inside a field set, the stored form is refused whole; cut
	// between two (after identity, then after legal), it is a shorter set.
	sets := map[int]int{1 + 8 + 1 + 1 + 32: 1, 1 + 8 + 1 + 1 + 32 + 1 + 5 + 2 + 1 + 32: 2}
	for n := 1; n < len(b); n++ {
		got, err := DecodeMACs(caseID, b[:n])
		if want, between := sets[n]; between {
			if err != nil || len(got) != want {
				t.Fatalf("cut at %d, between field sets: %d MACs (%v), want %d", n, len(got), err, want)
			}
			continue
		}
		if !errors.Is(err, ErrIntegrity) {
			t.Fatalf("cut at %d: %v, want ErrIntegrity", n, err)
		}
	}
}
