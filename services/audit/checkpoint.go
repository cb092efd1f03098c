package audit

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-kit/log/level"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/nrm-project/nrm/pkg/keys"
)

// Key files in the key directory: the note signer key (secret) and its
// verifier key (public, for verifiers elsewhere).
const (
	KeyFile = "audit-checkpoint.key"
	PubFile = "audit-checkpoint.pub"
)

// DefaultOrigin is the checkpoint origin line unless Config says otherwise.
const DefaultOrigin = "nrm.local/audit"

// Checkpoint is a signed tree head.
type Checkpoint struct {
	Origin string
	Size   int64
	Root   tlog.Hash
	Note   []byte // the signed note text, as published
}

// formatCheckpoint returns the body of a C2SP checkpoint.
func formatCheckpoint(origin string, size int64, root tlog.Hash) string {
	return origin + "\n" + strconv.FormatInt(size, 10) + "\n" + base64.StdEncoding.EncodeToString(root[:]) + "\n"
}

func parseCheckpointBody(text string) (origin string, size int64, root tlog.Hash, err error) {
	lines := strings.SplitN(text, "\n", 4)
	if len(lines) < 4 || lines[0] == "" {
		return "", 0, root, errors.New("audit: checkpoint: malformed")
	}
	size, err = strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != lines[1] {
		return "", 0, root, errors.New("audit: checkpoint: bad tree size")
	}
	b, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(b) != tlog.HashSize {
		return "", 0, root, errors.New("audit: checkpoint: bad root hash")
	}
	copy(root[:], b)
	return lines[0], size, root, nil
}

// OpenCheckpoint checks the signature of a checkpoint note with the
// verifier key vkey and parses it. The origin must be the key's name.
func OpenCheckpoint(msg []byte, vkey string) (Checkpoint, error) {
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("audit: verifier key: %w", err)
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("audit: checkpoint signature: %w", err)
	}
	origin, size, root, err := parseCheckpointBody(n.Text)
	if err != nil {
		return Checkpoint{}, err
	}
	if origin != v.Name() {
		return Checkpoint{}, errors.New("audit: checkpoint: origin does not match the key")
	}
	return Checkpoint{Origin: origin, Size: size, Root: root, Note: msg}, nil
}

// loadSigner returns the checkpoint signer, creating the key on first use
// and writing its verifier key beside it.
func loadSigner(k *keys.Dir, origin string) (note.Signer, string, error) {
	raw, _, err := k.ReadOrCreate(KeyFile, func() ([]byte, error) {
		skey, _, err := note.GenerateKey(rand.Reader, origin)
		return []byte(skey), err
	})
	if err != nil {
		return nil, "", fmt.Errorf("audit: checkpoint key: %w", err)
	}
	s, err := note.NewSigner(string(raw))
	if err != nil {
		return nil, "", fmt.Errorf("audit: checkpoint key: %w", err)
	}
	if s.Name() != origin {
		return nil, "", fmt.Errorf("audit: checkpoint key is for origin %q, configured %q", s.Name(), origin)
	}
	vkey, err := verifierFromSigner(string(raw))
	if err != nil {
		return nil, "", err
	}
	p := filepath.Join(k.Path(), PubFile)
	if old, err := os.ReadFile(p); err != nil || strings.TrimSpace(string(old)) != vkey {
		if err := writeFileAtomic(p, []byte(vkey+"\n"), 0o644); err != nil {
			return nil, "", fmt.Errorf("audit: write verifier key: %w", err)
		}
	}
	return s, vkey, nil
}

// verifierFromSigner derives the verifier key from a note signer key
// (PRIVATE+KEY+name+hash+base64(0x01 || Ed25519 seed)).
func verifierFromSigner(skey string) (string, error) {
	parts := strings.SplitN(skey, "+", 5)
	if len(parts) != 5 || parts[0] != "PRIVATE" || parts[1] != "KEY" {
		return "", errors.New("audit: checkpoint key: malformed")
	}
	b, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(b) != 1+ed25519.SeedSize || b[0] != 1 {
		return "", errors.New("audit: checkpoint key: not an Ed25519 key")
	}
	pub := ed25519.NewKeyFromSeed(b[1:]).Public().(ed25519.PublicKey)
	return note.NewEd25519VerifierKey(parts[2], pub)
}

// VerifierKey returns the checkpoint verifier key kept in the key
// directory: the public file when present, else derived from the signer key.
func VerifierKey(k *keys.Dir) (string, error) {
	if b, err := os.ReadFile(filepath.Join(k.Path(), PubFile)); err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	raw, _, err := k.ReadOrCreate(KeyFile, func() ([]byte, error) { return nil, fs.ErrNotExist })
	if err != nil {
		return "", fmt.Errorf("audit: no checkpoint key: %w", err)
	}
	return verifierFromSigner(string(raw))
}

func writeFileAtomic(path string, b []byte, mode os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// Checkpointer signs the tree head every Config.CheckpointEvery events or
// Config.CheckpointInterval when the log grew.
type Checkpointer struct {
	l    *Log
	kick chan struct{}
	mu   sync.Mutex
	last int64 // size of the last checkpoint made or seen
	// witnessed holds each witness's last known size, for the
	// consistency proof sent with the next checkpoint.
	witnessed []int64
}

// Run makes checkpoints until ctx ends.
func (c *Checkpointer) Run(ctx context.Context) error {
	t := time.NewTicker(c.l.cfg.CheckpointInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			c.maybe(ctx, 1)
		case <-c.kick:
			c.maybe(ctx, int64(c.l.cfg.CheckpointEvery))
		}
	}
}

func (c *Checkpointer) notify() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

func (c *Checkpointer) maybe(ctx context.Context, growth int64) {
	size, err := treeSize(ctx, c.l.db)
	if err != nil {
		level.Error(c.l.logger).Log("msg", "checkpoint: tree size", "err", err)
		return
	}
	c.mu.Lock()
	last := c.last
	c.mu.Unlock()
	if size-last < growth || size == 0 {
		return
	}
	if _, err := c.Checkpoint(ctx); err != nil {
		level.Error(c.l.logger).Log("msg", "checkpoint failed", "err", err)
	}
}

// Checkpoint signs the current tree head now, stores it, writes it to the
// checkpoint directory and pushes it to the witnesses.
func (c *Checkpointer) Checkpoint(ctx context.Context) (Checkpoint, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	l := c.l
	size, err := treeSize(ctx, l.db)
	if err != nil {
		return Checkpoint{}, err
	}
	if size == 0 {
		return Checkpoint{}, ErrEmptyLog
	}
	root, err := tlog.TreeHash(size, dbHashReader(ctx, l.db))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("audit: checkpoint: tree hash: %w", err)
	}
	msg, err := note.Sign(&note.Note{Text: formatCheckpoint(l.cfg.Origin, size, root)}, l.signer)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("audit: checkpoint: sign: %w", err)
	}
	cp := Checkpoint{Origin: l.cfg.Origin, Size: size, Root: root, Note: msg}
	if err := insertCheckpoint(ctx, l.db, cp, l.now()); err != nil {
		return Checkpoint{}, err
	}
	c.last = size
	l.metrics.checkpointSize.Set(float64(size))
	if l.cfg.CheckpointDir != "" {
		if err := writeCheckpointFiles(l.cfg.CheckpointDir, cp); err != nil {
			return cp, fmt.Errorf("audit: checkpoint: %w", err)
		}
	}
	if c.witnessed == nil {
		c.witnessed = make([]int64, len(l.cfg.Witnesses))
	}
	var cosigs []note.Signature
	for i, w := range l.cfg.Witnesses {
		answer, err := l.pushWitness(ctx, w, cp, &c.witnessed[i])
		if err != nil {
			l.metrics.witnessFailures.Inc()
			level.Warn(l.logger).Log("msg", "checkpoint not delivered to witness", "witness", i, "size", size, "err", err)
			continue
		}
		if answer == nil {
			continue // a directory: a copy, no cosignature
		}
		sigs, err := cosignatures(cp.Note, answer, l.vkey, l.cfg.WitnessKeys)
		if err != nil {
			level.Warn(l.logger).Log("msg", "witness answer is not a cosignature", "witness", i, "size", size, "err", err)
			continue
		}
		cosigs = append(cosigs, sigs...)
	}
	if len(cosigs) > 0 && l.cfg.CheckpointDir != "" {
		cp.Note = appendSignatures(cp.Note, cosigs)
		if err := writeCheckpointFiles(l.cfg.CheckpointDir, cp); err != nil {
			return cp, fmt.Errorf("audit: checkpoint: cosignatures: %w", err)
		}
	}
	return cp, nil
}

func writeCheckpointFiles(dir string, cp Checkpoint) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("checkpoint dir: %w", err)
	}
	if err := writeFileAtomic(filepath.Join(dir, strconv.FormatInt(cp.Size, 10)), cp.Note, 0o644); err != nil {
		return fmt.Errorf("write checkpoint file: %w", err)
	}
	if err := writeFileAtomic(filepath.Join(dir, "latest"), cp.Note, 0o644); err != nil {
		return fmt.Errorf("write latest checkpoint: %w", err)
	}
	return nil
}

// pushWitness delivers cp to the witness w and returns its answer: the
// cosignature of a witness reached over HTTP, nil for a directory.
func (l *Log) pushWitness(ctx context.Context, w string, cp Checkpoint, known *int64) ([]byte, error) {
	if !witnessURL(w) {
		return nil, writeCheckpointFiles(w, cp)
	}
	return l.pushHTTP(ctx, w, cp, known)
}
