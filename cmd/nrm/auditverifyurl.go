package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/nrm-project/nrm/services/audit"
)

// verifyURL checks a running deployment from outside through its public
// audit routes, incrementally from the checkpoint kept in the trusted file
// (if any), which it advances when the log is intact.
func verifyURL(ctx context.Context, base string, trusted []string, pinnedFile string, cosigs cosignatureRule, stdout, stderr io.Writer) int {
	client, err := audit.NewClient(base, &http.Client{Timeout: 30 * time.Second})
	if err != nil {
		fmt.Fprintf(stderr, "nrm: --url %q: want http(s)://host[:port]\n", base)
		return verifyUsage
	}
	opts := audit.RemoteOptions{WitnessKeys: cosigs.keys, MinCosignatures: cosigs.min}
	if pinnedFile != "" {
		b, err := os.ReadFile(pinnedFile)
		if err != nil {
			fmt.Fprintf(stderr, "nrm: verifier key: %v\n", err)
			return verifyUsage
		}
		opts.VerifierKey = strings.TrimSpace(string(b))
	}
	var state string
	if len(trusted) == 1 {
		state = trusted[0]
		b, err := os.ReadFile(state)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			fmt.Fprintf(stderr, "nrm: trusted checkpoint: %v\n", err)
			return verifyUsage
		default:
			opts.Trusted = b
		}
	}
	rep, err := audit.VerifyRemote(ctx, client, opts)
	switch {
	case errors.Is(err, audit.ErrRemoteTampered):
		fmt.Fprintf(stdout, "TAMPERED: %v\n", err)
		return verifyTampered
	case err != nil:
		fmt.Fprintf(stderr, "nrm: audit verify --url: %v\n", err)
		return verifyUnreachable
	}
	if cosigs.min > 0 {
		fmt.Fprintf(stdout, "witnessed: the latest checkpoint carries %d or more cosignatures of the given witnesses\n", cosigs.min)
	}
	switch {
	case rep.TrustedSize < 0:
		fmt.Fprintf(stdout, "intact: latest checkpoint of %s signed, %d entries; nothing trusted to compare with yet\n", rep.Origin, rep.Size)
	case rep.TrustedSize == rep.Size:
		fmt.Fprintf(stdout, "intact: %s unchanged at %d entries since the trusted checkpoint\n", rep.Origin, rep.Size)
	default:
		fmt.Fprintf(stdout, "intact: %s grew from %d to %d entries, consistent with the trusted checkpoint\n", rep.Origin, rep.TrustedSize, rep.Size)
	}
	if state != "" && rep.TrustedSize < rep.Size {
		if err := writeTrusted(state, rep.Latest); err != nil {
			fmt.Fprintf(stderr, "nrm: keep the trusted checkpoint: %v\n", err)
			return verifyUnreachable
		}
		fmt.Fprintf(stdout, "trusted checkpoint of %d entries kept in %s\n", rep.Size, state)
	}
	return verifyIntact
}

// writeTrusted replaces the trusted checkpoint file atomically.
func writeTrusted(path string, note []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".trusted-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(note); err != nil {
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
