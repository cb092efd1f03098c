package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/nrm-project/nrm/services/audit/witness"
)

// Files of a witness's state directory besides its checkpoints.
const (
	witnessKeyFile = "witness.key" // its signing key, mode 0600
	witnessPubFile = "witness.pub" // its verifier key, to give to verifiers
)

// cmdWitness runs a witness of one deployment's audit log: it cosigns the
// checkpoints the deployment pushes (serve --witness URL/add-checkpoint)
// while they show a log that only grows, and keeps evidence of a fork.
func cmdWitness(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("witness", stderr)
	addr := fs.String("addr", "127.0.0.1:8091", "listen address")
	state := fs.String("state", "", "state directory: the witness's key, its last cosigned checkpoint, fork evidence (required)")
	logKey := fs.String("log-key", "", "the deployment's checkpoint verifier key, or a file holding it (GET /api/v1/audit/public/key; required)")
	name := fs.String("name", "nrm-witness", "the witness's key name, shown on its signature lines")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *state == "" || *logKey == "" {
		return usageError{"witness: --state and --log-key are required"}
	}
	vkey := *logKey
	if b, err := os.ReadFile(vkey); err == nil {
		vkey = strings.TrimSpace(string(b))
	}
	if err := os.MkdirAll(*state, 0o700); err != nil {
		return fmt.Errorf("witness: %w", err)
	}
	signer, pub, err := witnessKey(*state, *name)
	if err != nil {
		return err
	}
	w, err := witness.New(witness.Config{LogKey: vkey, Signer: signer, StateDir: *state})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("witness: %w", err)
	}
	srv := &http.Server{Handler: w.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second}
	fmt.Fprintf(stdout, "witness key %s\nlistening on http://%s\n", pub, ln.Addr())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return srv.Shutdown(sctx)
	}
}

// witnessKey reads the witness's key from its state directory, creating
// it on first run.
func witnessKey(dir, name string) (note.Signer, string, error) {
	p := filepath.Join(dir, witnessKeyFile)
	raw, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		skey, vkey, gerr := note.GenerateKey(rand.Reader, name)
		if gerr != nil {
			return nil, "", gerr
		}
		if err := os.WriteFile(p, []byte(skey+"\n"), 0o600); err != nil {
			return nil, "", fmt.Errorf("witness: key: %w", err)
		}
		if err := os.WriteFile(filepath.Join(dir, witnessPubFile), []byte(vkey+"\n"), 0o644); err != nil {
			return nil, "", fmt.Errorf("witness: key: %w", err)
		}
		raw = []byte(skey)
	} else if err != nil {
		return nil, "", fmt.Errorf("witness: key: %w", err)
	}
	if fi, err := os.Stat(p); err == nil && fi.Mode().Perm()&0o077 != 0 {
		return nil, "", fmt.Errorf("witness: %s is readable by others (mode %v); chmod 600 it", p, fi.Mode().Perm())
	}
	s, err := note.NewSigner(strings.TrimSpace(string(raw)))
	if err != nil {
		return nil, "", fmt.Errorf("witness: key: %w", err)
	}
	pub, err := os.ReadFile(filepath.Join(dir, witnessPubFile))
	if err != nil {
		return nil, "", fmt.Errorf("witness: verifier key: %w", err)
	}
	return s, strings.TrimSpace(string(pub)), nil
}
