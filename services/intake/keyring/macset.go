package keyring

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/nrm-project/nrm/pkg/seal"
)

// An organisation's section MACs of a case are stored in its wrap row
// (wraps.section_macs), written with the wrap they are computed over: for
// each section it may read, the section's name and version and the MAC,
// in section order: the name and the MAC each as a uvarint length and its
// bytes, the version as a uvarint (the fields of pkg/seal's formats). A section it holds a key for but may
// not read yet (a pending grant) has no MAC.

// EncodeMACs returns the stored form of macs.
func EncodeMACs(macs map[seal.SectionID][]byte) []byte {
	ids := make([]seal.SectionID, 0, len(macs))
	for id := range macs {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b seal.SectionID) int {
		return cmp.Or(cmp.Compare(a.Section, b.Section), cmp.Compare(a.Version, b.Version))
	})
	b := make([]byte, 0, len(ids)*48)
	for _, id := range ids {
		b = binary.AppendUvarint(b, uint64(len(id.Section)))
		b = append(b, id.Section...)
		b = binary.AppendUvarint(b, uint64(id.Version))
		b = binary.AppendUvarint(b, uint64(len(macs[id])))
		b = append(b, macs[id]...)
	}
	return b
}

// DecodeMACs reads the stored MACs of the case; a malformed set is an
// integrity failure, as a bad MAC would be.
func DecodeMACs(caseID string, b []byte) (map[seal.SectionID][]byte, error) {
	macs := map[seal.SectionID][]byte{}
	bad := fmt.Errorf("intake: case %s: section MACs: %w", caseID, ErrIntegrity)
	uvarint := func() (uint64, bool) {
		v, n := binary.Uvarint(b)
		if n <= 0 {
			return 0, false
		}
		b = b[n:]
		return v, true
	}
	field := func() ([]byte, bool) {
		n, ok := uvarint()
		if !ok || n > uint64(len(b)) {
			return nil, false
		}
		f := b[:n:n]
		b = b[n:]
		return f, true
	}
	for len(b) > 0 {
		section, ok1 := field()
		version, ok2 := uvarint()
		mac, ok3 := field()
		if !ok1 || !ok2 || !ok3 || version > 1<<31-1 {
			return nil, bad
		}
		macs[seal.SectionID{CaseID: caseID, Section: string(section), Version: int(version)}] = mac
	}
	return macs, nil
}
