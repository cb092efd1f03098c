package seal

import (
	"bytes"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"errors"

	"filippo.io/age"
	"golang.org/x/crypto/chacha20poly1305"
)

// The payload of an age file (age-encryption.org/v1): a 16-byte nonce,
// then ChaCha20-Poly1305 chunks of 64 KiB of plaintext under
// HKDF-SHA-256(file key, nonce, "payload"), each chunk's nonce an 11-byte
// big-endian counter and a last-chunk flag.
const (
	agePayloadNonceSize = 16
	ageChunkSize        = 64 * 1024
	ageEncChunkSize     = ageChunkSize + chacha20poly1305.Overhead
	ageMACLine          = "\n--- "
)

// ageDecrypt opens an age message addressed to id. age decrypts the header
// (the identity's stanza and the header MAC); the payload is opened here,
// into one buffer of its size: age's readers allocate 64 to 128 KiB per
// message, and a wrap is about a kilobyte opened on every read of a case.
func ageDecrypt(id *OrgIdentity, wrap []byte) ([]byte, error) {
	if id == nil || id.id == nil {
		return nil, errNilIdentity
	}
	header, payload, ok := splitAgeHeader(wrap)
	if !ok {
		return nil, ErrBadWrap
	}
	fileKey, err := age.DecryptHeader(header, id.id)
	if err != nil {
		var nm *age.NoIdentityMatchError
		if errors.As(err, &nm) && !containsString(nm.StanzaTypes, id.kind.stanzaType()) && len(nm.StanzaTypes) > 0 {
			return nil, ErrKindMismatch
		}
		return nil, ErrNotForYou
	}
	defer clear(fileKey)
	return openAgePayload(fileKey, payload)
}

// splitAgeHeader cuts a message after its header's MAC line ("--- " and
// the MAC, the first line to start so: stanza lines start with "-> " and
// their bodies are base64). age parses and authenticates the header.
func splitAgeHeader(msg []byte) (header, payload []byte, ok bool) {
	i := bytes.Index(msg, []byte(ageMACLine))
	if i < 0 {
		return nil, nil, false
	}
	j := bytes.IndexByte(msg[i+len(ageMACLine):], '\n')
	if j < 0 {
		return nil, nil, false
	}
	end := i + len(ageMACLine) + j + 1
	return msg[:end], msg[end:], true
}

// openAgePayload authenticates and decrypts an age payload under fileKey.
// Every chunk but the last is full; the last is flagged, and empty only
// when it is the only one. Any other shape, and any failed chunk, is
// ErrBadWrap with nothing returned.
func openAgePayload(fileKey, payload []byte) ([]byte, error) {
	if len(payload) < agePayloadNonceSize {
		return nil, ErrBadWrap
	}
	key, err := hkdf.Key(sha256.New, fileKey, payload[:agePayloadNonceSize], "payload", chacha20poly1305.KeySize)
	if err != nil {
		return nil, ErrBadWrap
	}
	aead, err := chacha20poly1305.New(key)
	clear(key)
	if err != nil {
		return nil, ErrBadWrap
	}
	ct := payload[agePayloadNonceSize:]
	chunks := (len(ct) + ageEncChunkSize - 1) / ageEncChunkSize
	size := len(ct) - chunks*chacha20poly1305.Overhead
	if chunks == 0 || size < 0 || size > maxWrapPayload {
		return nil, ErrBadWrap
	}
	buf := make([]byte, 0, size)
	out := buf
	var nonce [chacha20poly1305.NonceSize]byte
	for i := range chunks {
		chunk := ct[i*ageEncChunkSize : min((i+1)*ageEncChunkSize, len(ct))]
		if i == chunks-1 {
			if i > 0 && len(chunk) == chacha20poly1305.Overhead {
				clear(buf[:cap(buf)])
				return nil, ErrBadWrap
			}
			nonce[len(nonce)-1] = 1
		}
		binary.BigEndian.PutUint64(nonce[3:11], uint64(i))
		if out, err = aead.Open(out, nonce[:], chunk, nil); err != nil {
			clear(buf[:cap(buf)])
			return nil, ErrBadWrap
		}
	}
	return out, nil
}
