package seal

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"testing"
)

var indexKey = bytes.Repeat([]byte{0x5a}, 32)

func TestBlindIndexSamePerson(t *testing.T) {
	variants := []string{"فاطمة الزهراء الإدريسي", "Fatima Zahra El Idrissi", "Fatéma-Zohra Idrissi", "IDRISSI Fatima-Zahra"}
	want := BlindIndex(indexKey, Simplify(variants[0]), 1999)
	for _, v := range variants {
		t.Run(v, func(t *testing.T) {
			if got := BlindIndex(indexKey, Simplify(v), 1999); got != want {
				t.Fatalf("index %d, want %d", got, want)
			}
			if got := BlindIndex(indexKey, v, 1999); got != want {
				t.Fatalf("unsimplified name: index %d, want %d", got, want)
			}
		})
	}
	if got := BlindIndexes(indexKey, variants, 1999); !slices.Equal(got, []uint32{want}) {
		t.Fatalf("BlindIndexes = %v, want one value %d", got, want)
	}
}

func TestBlindIndexDistinguishes(t *testing.T) {
	ref := BlindIndex(indexKey, Simplify("Fatima Zahra El Idrissi"), 1999)
	tests := []struct {
		name string
		year int
	}{
		{"Khadija Benali", 1999},
		{"Fatima Bennani", 1999},
		{"Fatima Zahra El Idrissi", 1998},
		{"Fatima Zahra El Idrissi", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Fixed key: these values are deterministic, so a 1-in-65536
			// collision would show on every run, not as a flake.
			if BlindIndex(indexKey, Simplify(tt.name), tt.year) == ref {
				t.Fatal("different person or year gives the same index")
			}
		})
	}
}

func TestBlindIndexUnknownYear(t *testing.T) {
	name := Simplify("Khadija Benali")
	want := BlindIndex(indexKey, name, 0)
	for _, y := range []int{-1, 10000, 0} {
		if got := BlindIndex(indexKey, name, y); got != want {
			t.Fatalf("year %d: index %d, want the name-only index %d", y, got, want)
		}
	}
}

func TestBlindIndexKeysDiffer(t *testing.T) {
	other := bytes.Repeat([]byte{0xa5}, 32)
	names := []string{"Khadija Benali", "Fatima Bennani", "Youssef", "Abdelkader", "Aicha", "Jamal", "Fatima Zahra Idrissi", "Mohamed Salem"}
	same := 0
	for _, n := range names {
		if BlindIndex(indexKey, n, 1990) == BlindIndex(other, n, 1990) {
			same++
		}
	}
	if same > 1 {
		t.Fatalf("%d of %d names index the same under two keys", same, len(names))
	}
}

func TestIndexerBits(t *testing.T) {
	for _, bits := range []int{1, 8, 12, 16, 24, 32} {
		t.Run(fmt.Sprintf("%d bits", bits), func(t *testing.T) {
			ix, err := NewIndexer(indexKey, bits)
			if err != nil {
				t.Fatal(err)
			}
			seen := map[uint32]bool{}
			for _, n := range []string{"Khadija Benali", "Fatima Bennani", "Youssef", "Abdelkader", "Aicha", "Jamal"} {
				v := ix.Index(n, 2000)
				if bits < 32 && v >= 1<<bits {
					t.Fatalf("%d-bit index %d out of range", bits, v)
				}
				seen[v] = true
			}
			if bits >= 16 && len(seen) < 6 {
				t.Fatalf("%d-bit indexes collide: %v", bits, seen)
			}
		})
	}
	if ix, _ := NewIndexer(indexKey, DefaultIndexBits); ix.Index("Aicha", 1) != BlindIndex(indexKey, "Aicha", 1) {
		t.Fatal("BlindIndex does not use DefaultIndexBits")
	}
	for _, tt := range []struct {
		key  []byte
		bits int
		want error
	}{{indexKey, 0, ErrIndexBits}, {indexKey, 33, ErrIndexBits}, {indexKey[:16], 16, ErrBadKeyLength}} {
		if _, err := NewIndexer(tt.key, tt.bits); !errors.Is(err, tt.want) {
			t.Fatalf("NewIndexer(%d-byte key, %d) = %v, want %v", len(tt.key), tt.bits, err, tt.want)
		}
	}
}

func TestBlindIndexesVariants(t *testing.T) {
	got := BlindIndexes(indexKey, []string{"Khadija Benali", "خديجة بنعلي", "Khadija Ben Ali", "", "Aya"}, 1995)
	want := []uint32{BlindIndex(indexKey, "Khadija Benali", 1995), BlindIndex(indexKey, "Khadija Ali", 1995)}
	slices.Sort(want)
	if !slices.Equal(got, slices.Compact(want)) {
		t.Fatalf("BlindIndexes = %v, want %v (deduplicated, empty skeletons skipped)", got, want)
	}
}
