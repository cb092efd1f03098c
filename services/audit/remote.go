package audit

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// ErrRemoteTampered is wrapped by VerifyRemote's errors that show the log
// was rewritten, rolled back or forked, or its answers were forged; any
// other error means the check could not be made.
var ErrRemoteTampered = errors.New("audit: the deployment's log cannot be shown intact")

// RemoteOptions says what VerifyRemote checks a deployment against.
type RemoteOptions struct {
	// VerifierKey pins the checkpoint verifier key; when empty the
	// deployment's own is used, and Trusted, if any, must verify under it.
	VerifierKey string
	// Trusted is the last checkpoint verified before (nil: none).
	Trusted []byte
	// WitnessKeys are the note verifier keys of witnesses; the latest
	// checkpoint must carry valid cosignatures of MinCosignatures of them.
	WitnessKeys     []string
	MinCosignatures int
}

// RemoteReport describes a deployment whose log was shown intact.
type RemoteReport struct {
	Origin      string
	TrustedSize int64 // -1 without a trusted checkpoint
	Size        int64 // the latest checkpoint's
	Latest      []byte
}

// VerifyRemote checks a deployment from outside through its Public
// routes alone: the latest checkpoint is signed by the verifier key, the
// trusted checkpoint verifies under that key too, the latest tree contains
// the trusted one (a consistency proof; equal roots at equal sizes), and
// the last leaf is proven in it. On success, Latest is the checkpoint to
// trust next time.
func VerifyRemote(ctx context.Context, p Public, opts RemoteOptions) (RemoteReport, error) {
	rep := RemoteReport{TrustedSize: -1}
	vkey := opts.VerifierKey
	if vkey == "" {
		k, err := p.PublicKey(ctx)
		if err != nil {
			return rep, fmt.Errorf("audit: verifier key: %w", err)
		}
		vkey = k
	}
	msg, err := p.PublicCheckpoint(ctx)
	if err != nil {
		return rep, fmt.Errorf("audit: latest checkpoint: %w", err)
	}
	latest, err := OpenCheckpoint(msg, vkey)
	if err != nil {
		return rep, fmt.Errorf("%w: latest checkpoint: %w", ErrRemoteTampered, err)
	}
	rep.Origin, rep.Size, rep.Latest = latest.Origin, latest.Size, msg
	if opts.MinCosignatures > 0 || len(opts.WitnessKeys) > 0 {
		if err := CheckCosignatures(msg, vkey, opts.WitnessKeys, opts.MinCosignatures); err != nil {
			return rep, fmt.Errorf("%w: latest checkpoint: %w", ErrRemoteTampered, err)
		}
	}

	if opts.Trusted != nil {
		trusted, err := OpenCheckpoint(opts.Trusted, vkey)
		if err != nil {
			return rep, fmt.Errorf("%w: the trusted checkpoint does not verify under the deployment's key (a new key?): %w", ErrRemoteTampered, err)
		}
		rep.TrustedSize = trusted.Size
		switch {
		case trusted.Size > latest.Size:
			return rep, fmt.Errorf("%w: the log holds %d entries, fewer than the %d of the trusted checkpoint (rolled back)", ErrRemoteTampered, latest.Size, trusted.Size)
		case trusted.Size == latest.Size && trusted.Root != latest.Root:
			return rep, fmt.Errorf("%w: two signed trees of %d entries with different roots (a fork)", ErrRemoteTampered, latest.Size)
		case trusted.Size < latest.Size:
			c, err := p.PublicConsistency(ctx, trusted.Size, latest.Size)
			if err != nil {
				return rep, fmt.Errorf("audit: consistency proof: %w", err)
			}
			proof, err := toHashes(c.Proof)
			switch {
			case err != nil || c.From != trusted.Size || c.To != latest.Size:
				return rep, fmt.Errorf("%w: malformed consistency proof", ErrRemoteTampered)
			case !sameHash(c.FromRoot, trusted.Root):
				return rep, fmt.Errorf("%w: the tree of %d entries was rewritten since the trusted checkpoint", ErrRemoteTampered, trusted.Size)
			case !sameHash(c.ToRoot, latest.Root):
				return rep, fmt.Errorf("%w: the consistency proof is not for the latest checkpoint's tree", ErrRemoteTampered)
			}
			if err := tlog.CheckTree(proof, latest.Size, latest.Root, trusted.Size, trusted.Root); err != nil {
				return rep, fmt.Errorf("%w: the latest tree does not contain the trusted one: %w", ErrRemoteTampered, err)
			}
		}
	}

	// The proof route answers for the signed tree too.
	lp, err := p.LeafProof(ctx, latest.Size-1, latest.Size)
	if err != nil {
		return rep, fmt.Errorf("audit: inclusion proof: %w", err)
	}
	proof, err := toHashes(lp.Proof)
	if err != nil || len(lp.LeafHash) != tlog.HashSize || lp.Index != latest.Size-1 || lp.Size != latest.Size || !sameHash(lp.Root, latest.Root) {
		return rep, fmt.Errorf("%w: malformed inclusion proof", ErrRemoteTampered)
	}
	if err := tlog.CheckRecord(proof, latest.Size, latest.Root, latest.Size-1, tlog.Hash(lp.LeafHash)); err != nil {
		return rep, fmt.Errorf("%w: inclusion proof of the last entry: %w", ErrRemoteTampered, err)
	}
	return rep, nil
}

func toHashes(bs [][]byte) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(bs))
	for i, b := range bs {
		if len(b) != tlog.HashSize {
			return nil, errors.New("audit: proof hash of the wrong length")
		}
		out[i] = tlog.Hash(b)
	}
	return out, nil
}

func sameHash(b []byte, h tlog.Hash) bool { return len(b) == tlog.HashSize && tlog.Hash(b) == h }
