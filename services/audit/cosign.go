package audit

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"golang.org/x/mod/sumdb/note"
)

// Witnesses answer a checkpoint with their cosignatures: extra signature
// lines of the same note (C2SP signed-note), either as the whole cosigned
// note or as the signature lines alone (C2SP tlog-witness). The log keeps
// them in the checkpoint's copy in Config.CheckpointDir, outside the
// database, and serves every checkpoint with them appended; verifiers check
// them with the witnesses' keys (CheckCosignatures).

// cosignatures returns the signature lines that a witness's answer adds to
// the log's note msg, after checking that the answer is about the same
// checkpoint and keeps the log's own signature.
// With witnessKeys, only the signatures verifying under them are kept.
func cosignatures(msg, answer []byte, vkey string, witnessKeys []string) ([]note.Signature, error) {
	full := answer
	if !bytes.HasPrefix(answer, noteText(msg)) {
		full = append(slices.Clone(msg), answer...)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, err
	}
	vs := []note.Verifier{v}
	for _, k := range witnessKeys {
		wv, err := note.NewVerifier(k)
		if err != nil {
			return nil, fmt.Errorf("witness key: %w", err)
		}
		vs = append(vs, wv)
	}
	n, err := note.Open(full, note.VerifierList(vs...))
	if err != nil {
		return nil, fmt.Errorf("the answer is not the checkpoint signed by the log, or a cosignature does not verify: %w", err)
	}
	if n.Text != string(noteText(msg)) {
		return nil, errors.New("the answer cosigns another checkpoint")
	}
	if len(witnessKeys) == 0 {
		return n.UnverifiedSigs, nil
	}
	var out []note.Signature
	for _, s := range n.Sigs {
		if s.Name != v.Name() || s.Hash != v.KeyHash() {
			out = append(out, s)
		}
	}
	return out, nil
}

// noteText is the text of a signed note, up to the blank line before its
// signatures.
func noteText(msg []byte) []byte {
	i := bytes.LastIndex(msg, []byte("\n\n"))
	if i < 0 {
		return msg
	}
	return msg[:i+1]
}

// appendSignatures returns msg with the signature lines of sigs it does not
// carry yet.
func appendSignatures(msg []byte, sigs []note.Signature) []byte {
	out := slices.Clone(msg)
	for _, s := range sigs {
		line := "\u2014 " + s.Name + " " + s.Base64 + "\n"
		if !bytes.Contains(out, []byte(line)) {
			out = append(out, line...)
		}
	}
	return out
}

// withCosignatures returns cp's note with the cosignatures kept in its
// copy in the checkpoint directory, when that copy is the same checkpoint
// signed by the log; otherwise the note as stored.
func (l *Log) withCosignatures(cp Checkpoint) Checkpoint {
	if l.cfg.CheckpointDir == "" {
		return cp
	}
	b, err := os.ReadFile(filepath.Join(l.cfg.CheckpointDir, strconv.FormatInt(cp.Size, 10)))
	if err != nil || bytes.Equal(b, cp.Note) {
		return cp
	}
	sigs, err := cosignatures(cp.Note, b, l.vkey, l.cfg.WitnessKeys)
	if err != nil {
		return cp
	}
	cp.Note = appendSignatures(cp.Note, sigs)
	return cp
}

// CosignatureError says a checkpoint lacks the witness cosignatures a
// verifier requires.
type CosignatureError struct {
	Have, Want int
}

func (e *CosignatureError) Error() string {
	return fmt.Sprintf("audit: the checkpoint carries %d valid cosignatures of the given witness keys, %d required", e.Have, e.Want)
}

// CheckCosignatures checks that the checkpoint msg, signed by the log's
// key vkey, carries valid cosignatures from at least min distinct keys of
// witnessKeys (note verifier keys). A signature line of one of those keys
// that does not verify refuses the checkpoint, whatever the count.
func CheckCosignatures(msg []byte, vkey string, witnessKeys []string, min int) error {
	logV, err := note.NewVerifier(vkey)
	if err != nil {
		return fmt.Errorf("audit: verifier key: %w", err)
	}
	vs := []note.Verifier{logV}
	for _, k := range witnessKeys {
		v, err := note.NewVerifier(k)
		if err != nil {
			return fmt.Errorf("audit: witness key %q: %w", k, err)
		}
		if v.Name() == logV.Name() && v.KeyHash() == logV.KeyHash() {
			return errors.New("audit: a witness key is the log's own key")
		}
		vs = append(vs, v)
	}
	n, err := note.Open(msg, note.VerifierList(vs...))
	if err != nil {
		return fmt.Errorf("audit: checkpoint signatures: %w", err)
	}
	if origin, _, _, err := parseCheckpointBody(n.Text); err != nil || origin != logV.Name() {
		return errors.New("audit: not a checkpoint of the log named by the verifier key")
	}
	logSigned, have := false, 0
	for _, s := range n.Sigs {
		if s.Name == logV.Name() && s.Hash == logV.KeyHash() {
			logSigned = true
			continue
		}
		have++
	}
	if !logSigned {
		return errors.New("audit: the checkpoint is not signed by the log's key")
	}
	if have < min {
		return &CosignatureError{Have: have, Want: min}
	}
	return nil
}
