package seal

import (
	"bytes"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"io"
	"testing"

	"filippo.io/age"
	"golang.org/x/crypto/chacha20poly1305"
)

// ageReference decrypts with age's own reader: the behaviour to match.
func ageReference(id *OrgIdentity, msg []byte) ([]byte, error) {
	r, err := age.Decrypt(bytes.NewReader(msg), id.id)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

func TestAgeDecryptMatchesAge(t *testing.T) {
	for _, kind := range []Kind{KindHybrid, KindX25519} {
		id := newIdentity(t, kind)
		for _, size := range []int{0, 1, 900, ageChunkSize - 1, ageChunkSize, ageChunkSize + 1, 2 * ageChunkSize, 2*ageChunkSize + 17} {
			pt := bytes.Repeat([]byte{byte(size), 0x5a}, size/2+1)[:size]
			msg, err := ageEncrypt(id.PublicKey(), pt)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ageDecrypt(id, msg)
			if err != nil || !bytes.Equal(got, pt) {
				t.Fatalf("%v, %d bytes: %v (plaintext equal: %v)", kind, size, err, bytes.Equal(got, pt))
			}
		}
	}
}

// craft returns header || nonce || chunks, the chunks sealed under the
// header's real file key with the given last-chunk flags: shapes age never
// writes, to check that both readers refuse the same ones.
func craft(t *testing.T, id *OrgIdentity, chunks [][]byte, last []bool) []byte {
	t.Helper()
	msg, err := ageEncrypt(id.PublicKey(), []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	header, _, ok := splitAgeHeader(msg)
	if !ok {
		t.Fatal("no header")
	}
	fileKey, err := age.DecryptHeader(header, id.id)
	if err != nil {
		t.Fatal(err)
	}
	nonce := bytes.Repeat([]byte{7}, agePayloadNonceSize)
	key, _ := hkdf.Key(sha256.New, fileKey, nonce, "payload", chacha20poly1305.KeySize)
	aead, _ := chacha20poly1305.New(key)
	out := append(bytes.Clone(header), nonce...)
	for i, c := range chunks {
		var n [chacha20poly1305.NonceSize]byte
		binary.BigEndian.PutUint64(n[3:11], uint64(i))
		if last[i] {
			n[11] = 1
		}
		out = aead.Seal(out, n[:], c, nil)
	}
	return out
}

func TestAgeDecryptRefusesWhatAgeRefuses(t *testing.T) {
	id := newIdentity(t, KindX25519)
	full := bytes.Repeat([]byte{1}, ageChunkSize)
	tests := []struct {
		name   string
		chunks [][]byte
		last   []bool
	}{
		{"one flagged chunk", [][]byte{[]byte("abc")}, []bool{true}},
		{"empty only chunk", [][]byte{{}}, []bool{true}},
		{"full then short", [][]byte{full, []byte("tail")}, []bool{false, true}},
		{"full flagged", [][]byte{full}, []bool{true}},
		{"no flag", [][]byte{[]byte("abc")}, []bool{false}},
		{"full unflagged alone", [][]byte{full}, []bool{false}},
		{"empty last after full", [][]byte{full, {}}, []bool{false, true}},
		{"flag before the end", [][]byte{full, []byte("tail")}, []bool{true, true}},
		{"short chunk before the end", [][]byte{[]byte("short"), []byte("tail")}, []bool{false, true}},
	}
	accepted := 0
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msg := craft(t, id, tc.chunks, tc.last)
			want, wantErr := ageReference(id, msg)
			if wantErr != nil {
				want = nil // age's stream reader may have returned some plaintext before it failed
			}
			got, err := ageDecrypt(id, msg)
			if (err == nil) != (wantErr == nil) || !bytes.Equal(got, want) {
				t.Fatalf("ours: %v; age: %v; plaintexts equal: %v", err, wantErr, bytes.Equal(got, want))
			}
			if err != nil && !errors.Is(err, ErrBadWrap) {
				t.Fatalf("refused with %v, want ErrBadWrap", err)
			}
			if err == nil {
				accepted++
			}
		})
	}
	if accepted == 0 || accepted == len(tests) {
		t.Fatalf("%d of %d shapes accepted: the table does not exercise both answers", accepted, len(tests))
	}
}

// Every truncation and every flipped byte of a two-chunk message is refused
// with nothing returned.
func TestAgeDecryptTamper(t *testing.T) {
	id := newIdentity(t, KindX25519)
	pt := bytes.Repeat([]byte("case"), ageChunkSize/4+40)
	msg, err := ageEncrypt(id.PublicKey(), pt)
	if err != nil {
		t.Fatal(err)
	}
	header, _, _ := splitAgeHeader(msg)
	for _, cut := range []int{len(header), len(header) + agePayloadNonceSize, len(msg) - 161, len(msg) - 1,
		len(header) + agePayloadNonceSize + ageEncChunkSize} {
		if got, err := ageDecrypt(id, msg[:cut]); err == nil || got != nil {
			t.Fatalf("truncated at %d of %d: accepted", cut, len(msg))
		}
	}
	if _, err := ageDecrypt(id, append(bytes.Clone(msg), 0)); err == nil {
		t.Fatal("trailing byte accepted")
	}
	for i := len(header); i < len(msg); i += 997 {
		bad := bytes.Clone(msg)
		bad[i] ^= 0x20
		if got, err := ageDecrypt(id, bad); err == nil || got != nil {
			t.Fatalf("byte %d flipped: accepted", i)
		}
	}
}

func BenchmarkAgeDecrypt(b *testing.B) {
	id := newIdentity(b, KindHybrid)
	msg, err := ageEncrypt(id.PublicKey(), bytes.Repeat([]byte{1}, 900))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ageDecrypt(id, msg); err != nil {
			b.Fatal(err)
		}
	}
}
