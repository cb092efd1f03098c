package seal

import (
	"bytes"
	"testing"
)

func BenchmarkSeal(b *testing.B) {
	pt := bytes.Repeat([]byte("n"), 2048)
	b.SetBytes(int64(len(pt)))
	for b.Loop() {
		if _, _, err := Seal(baseHeader, pt); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpenSections4(b *testing.B) {
	for _, k := range kinds {
		b.Run(k.String(), func(b *testing.B) {
			f := newCase(b, k)
			for b.Loop() {
				if _, err := OpenSections(f.org, f.orgID, f.macKey, f.wrap, f.stored); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkUnwrap(b *testing.B) {
	for _, k := range kinds {
		b.Run(k.String(), func(b *testing.B) {
			f := newCase(b, k)
			for b.Loop() {
				if _, err := Unwrap(f.org, f.wrap); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkWrap(b *testing.B) {
	for _, k := range kinds {
		b.Run(k.String(), func(b *testing.B) {
			f := newCase(b, k)
			for b.Loop() {
				if _, err := Wrap(f.org.PublicKey(), f.grants); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkBlindIndex(b *testing.B) {
	name := Simplify("Fatima Zahra El Idrissi")
	for b.Loop() {
		BlindIndex(indexKey, name, 1999)
	}
}

func BenchmarkSimplify(b *testing.B) {
	for b.Loop() {
		Simplify("فاطمة الزهراء الإدريسي")
	}
}
