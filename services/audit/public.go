package audit

import (
	"context"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// Public is what anyone may ask, without signing in: enough to verify the
// log from outside (the verifier key, the latest signed checkpoint,
// inclusion proofs by leaf index with the leaf hash, consistency proofs),
// never an event's content. Every tree size it serves is at most the
// latest signed checkpoint's, so each answer is anchored in a signature.
// Its reads are not appended to the log: they reveal no event, and a
// stranger must not be able to grow the log at will.
type Public interface {
	// PublicKey returns the checkpoint verifier key (note format).
	PublicKey(ctx context.Context) (string, error)
	// PublicCheckpoint returns the latest signed checkpoint note.
	PublicCheckpoint(ctx context.Context) ([]byte, error)
	// LeafProof proves that leaf index is in the tree of size leaves (0:
	// the latest checkpoint's).
	LeafProof(ctx context.Context, index, size int64) (LeafProof, error)
	// PublicConsistency proves that the tree of from leaves is a prefix of
	// the tree of to leaves, both at most the latest checkpoint's size.
	PublicConsistency(ctx context.Context, from, to int64) (ConsistencyProof, error)
}

// LeafProof proves that the leaf with hash LeafHash is leaf Index of the
// tree of Size leaves with root Root (tlog.CheckRecord). Checkpoint is the
// signed note of that tree when one was published at that size.
type LeafProof struct {
	Index      int64    `json:"index"`
	Size       int64    `json:"size"`
	LeafHash   []byte   `json:"leaf_hash"`
	Root       []byte   `json:"root"`
	Proof      [][]byte `json:"proof"`
	Checkpoint string   `json:"checkpoint,omitempty"`
}

var _ Public = (*Log)(nil)

// PublicKey implements Public.
func (l *Log) PublicKey(context.Context) (string, error) { return l.vkey, nil }

// PublicCheckpoint implements Public.
func (l *Log) PublicCheckpoint(ctx context.Context) ([]byte, error) {
	cp, err := latestCheckpoint(ctx, l.db)
	if err != nil {
		return nil, err
	}
	return l.withCosignatures(cp).Note, nil
}

// LeafProof implements Public.
func (l *Log) LeafProof(ctx context.Context, index, size int64) (LeafProof, error) {
	latest, err := latestCheckpoint(ctx, l.db)
	if err != nil {
		return LeafProof{}, err
	}
	var cpNote string
	switch {
	case size == 0:
		size, cpNote = latest.Size, string(l.withCosignatures(latest).Note)
	case size < 0 || size > latest.Size:
		return LeafProof{}, ErrBadPublicSize
	default:
		if cp, err := checkpointAt(ctx, l.db, size); err == nil {
			cpNote = string(l.withCosignatures(cp).Note)
		}
	}
	if index < 0 {
		return LeafProof{}, ErrBadPublicSize
	}
	if index >= size {
		return LeafProof{}, ErrNotCovered
	}
	r := dbHashReader(ctx, l.db)
	leaf, err := r.ReadHashes([]int64{tlog.StoredHashIndex(0, index)})
	if err != nil {
		return LeafProof{}, fmt.Errorf("audit: leaf proof: %w", err)
	}
	root, err := tlog.TreeHash(size, r)
	if err != nil {
		return LeafProof{}, fmt.Errorf("audit: leaf proof: %w", err)
	}
	p, err := tlog.ProveRecord(size, index, r)
	if err != nil {
		return LeafProof{}, fmt.Errorf("audit: leaf proof: %w", err)
	}
	return LeafProof{Index: index, Size: size, LeafHash: leaf[0][:], Root: root[:], Proof: hashBytes(p), Checkpoint: cpNote}, nil
}

// PublicConsistency implements Public.
func (l *Log) PublicConsistency(ctx context.Context, from, to int64) (ConsistencyProof, error) {
	latest, err := latestCheckpoint(ctx, l.db)
	if err != nil {
		return ConsistencyProof{}, err
	}
	if from <= 0 || from > to || to > latest.Size {
		return ConsistencyProof{}, ErrBadPublicSize
	}
	return l.proveConsistency(ctx, from, to)
}
