package audit

import (
	"context"
	"errors"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
)

// servedAs is a deployment answering with another latest checkpoint, or
// with a tampered consistency proof.
type servedAs struct {
	Public
	latest       []byte
	badProofHash bool
}

func (s servedAs) PublicCheckpoint(ctx context.Context) ([]byte, error) {
	if s.latest != nil {
		return s.latest, nil
	}
	return s.Public.PublicCheckpoint(ctx)
}

func (s servedAs) PublicConsistency(ctx context.Context, from, to int64) (ConsistencyProof, error) {
	c, err := s.Public.PublicConsistency(ctx, from, to)
	if err == nil && s.badProofHash && len(c.Proof) > 0 {
		c.Proof[0][0] ^= 1
	}
	return c, err
}

func TestVerifyRemote(t *testing.T) {
	t.Parallel()
	otherKey, _, err := note.GenerateKey(nil, DefaultOrigin)
	if err != nil {
		t.Fatal(err)
	}
	otherSigner, err := note.NewSigner(otherKey)
	if err != nil {
		t.Fatal(err)
	}
	otherVKey, err := verifierFromSigner(otherKey)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		scenario func(t *testing.T, f *fixture, cp6, cp10 Checkpoint) (Public, RemoteOptions)
		tampered bool
	}{
		{"first check, nothing trusted yet", func(t *testing.T, f *fixture, _, _ Checkpoint) (Public, RemoteOptions) {
			return f.log, RemoteOptions{}
		}, false},
		{"grown since the trusted checkpoint", func(t *testing.T, f *fixture, cp6, _ Checkpoint) (Public, RemoteOptions) {
			return f.log, RemoteOptions{Trusted: cp6.Note}
		}, false},
		{"unchanged since the trusted checkpoint", func(t *testing.T, f *fixture, _, cp10 Checkpoint) (Public, RemoteOptions) {
			return f.log, RemoteOptions{Trusted: cp10.Note, VerifierKey: f.log.VerifierKey()}
		}, false},
		{"rolled back to an older checkpoint", func(t *testing.T, f *fixture, cp6, cp10 Checkpoint) (Public, RemoteOptions) {
			return servedAs{Public: f.log, latest: cp6.Note}, RemoteOptions{Trusted: cp10.Note}
		}, true},
		{"rewritten by an insider and signed again by the server", func(t *testing.T, f *fixture, cp6, _ Checkpoint) (Public, RemoteOptions) {
			a := f.admin(t)
			exec(t, a, `UPDATE events SET object_id = 'forged' WHERE idx = 2`)
			f.rehash(t, a)
			f.append(t, "referral", 3)
			f.checkpoint(t)
			return f.log, RemoteOptions{Trusted: cp6.Note}
		}, true},
		{"consistency proof forged", func(t *testing.T, f *fixture, cp6, _ Checkpoint) (Public, RemoteOptions) {
			return servedAs{Public: f.log, badProofHash: true}, RemoteOptions{Trusted: cp6.Note}
		}, true},
		{"checkpoint signed by another key than the pinned one", func(t *testing.T, f *fixture, _, cp10 Checkpoint) (Public, RemoteOptions) {
			forged, err := note.Sign(&note.Note{Text: formatCheckpoint(DefaultOrigin, cp10.Size, cp10.Root)}, otherSigner)
			if err != nil {
				t.Fatal(err)
			}
			return servedAs{Public: f.log, latest: forged}, RemoteOptions{VerifierKey: f.log.VerifierKey()}
		}, true},
		{"key replaced: the trusted checkpoint no longer verifies", func(t *testing.T, f *fixture, cp6, _ Checkpoint) (Public, RemoteOptions) {
			return f.log, RemoteOptions{Trusted: cp6.Note, VerifierKey: otherVKey}
		}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
				f := newFixture(t, e, nil)
				f.append(t, "intake", 6)
				cp6 := f.checkpoint(t)
				f.append(t, "intake", 4)
				cp10 := f.checkpoint(t)
				p, opts := tc.scenario(t, f, cp6, cp10)
				rep, err := VerifyRemote(f.ctx, p, opts)
				switch {
				case tc.tampered && !errors.Is(err, ErrRemoteTampered):
					t.Fatalf("VerifyRemote = %v, want ErrRemoteTampered", err)
				case !tc.tampered && err != nil:
					t.Fatalf("VerifyRemote: %v", err)
				case !tc.tampered && string(rep.Latest) != string(cp10.Note):
					t.Fatalf("report's latest checkpoint is not the deployment's")
				}
			})
		})
	}
}
