package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/services/audit"
)

// Exit codes of nrm audit verify.
const (
	verifyIntact      = 0
	verifyTampered    = 1
	verifyUsage       = 2
	verifyUnreachable = 3 // the database, the keys or the deployment could not be read
)

// cmdAuditVerify checks the audit log and returns the exit code: 0 intact,
// 1 tampered (naming the first bad entry), 2 for a usage error, 3 when the
// check itself could not run (database, keys or deployment unreachable).
// With --url it checks a running deployment from outside (auditverifyurl.go).
func cmdAuditVerify(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("audit verify", stderr)
	var st storage
	st.register(fs)
	var trusted listFlag
	var checkpointDir, remote, pinned string
	fs.Var(&trusted, "trusted", "a checkpoint held elsewhere (a witness's copy); the log must contain it (repeatable). With --url: the file keeping the last verified checkpoint, created on the first run and advanced on every intact one")
	fs.StringVar(&checkpointDir, "checkpoint-dir", "", "checkpoint copies to check too (default: <keys>/checkpoints when present)")
	fs.StringVar(&remote, "url", "", "verify a running deployment from outside, through its public audit routes (no database, no keys)")
	fs.StringVar(&pinned, "verifier-key", "", "with --url: a file holding the checkpoint verifier key (audit-checkpoint.pub) to pin, instead of the deployment's own")
	if err := parseFlags(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return verifyIntact
		}
		fmt.Fprintf(stderr, "nrm: %v\n", err)
		return verifyUsage
	}
	if remote != "" {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		for _, local := range []string{"data", "database-url", "keys", "checkpoint-dir"} {
			if set[local] {
				fmt.Fprintf(stderr, "nrm: --url checks a deployment from outside; --%s does not apply\n", local)
				return verifyUsage
			}
		}
		if len(trusted) > 1 {
			fmt.Fprintln(stderr, "nrm: --url keeps one trusted checkpoint file")
			return verifyUsage
		}
		return verifyURL(ctx, remote, trusted, pinned, stdout, stderr)
	}
	if pinned != "" {
		fmt.Fprintln(stderr, "nrm: --verifier-key applies with --url only")
		return verifyUsage
	}
	kd, cfg, err := st.open(stderr)
	if err != nil {
		fmt.Fprintf(stderr, "nrm: %v\n", err)
		return verifyUnreachable
	}
	if checkpointDir == "" {
		if fi, err := os.Stat(checkpointDirDefault(kd.Path())); err == nil && fi.IsDir() {
			checkpointDir = checkpointDirDefault(kd.Path())
		}
	}
	opts := audit.VerifyOptions{Keys: kd, CheckpointDir: checkpointDir}
	for _, p := range trusted {
		b, err := os.ReadFile(p)
		if err != nil {
			fmt.Fprintf(stderr, "nrm: trusted checkpoint: %v\n", err)
			return verifyUsage
		}
		opts.Trusted = append(opts.Trusted, b)
	}
	if cfg.Engine() == db.SQLite {
		if _, err := os.Stat(cfg.DataDir); err != nil {
			fmt.Fprintf(stderr, "nrm: no data directory at %s\n", cfg.DataDir)
			return verifyUnreachable
		}
	}
	d, err := db.Open(ctx, cfg, "audit")
	if err != nil {
		fmt.Fprintf(stderr, "nrm: %v\n", err)
		return verifyUnreachable
	}
	defer d.Close()
	start := time.Now()
	rep, err := audit.Verify(ctx, d, opts)
	var te *audit.TamperError
	switch {
	case errors.As(err, &te):
		fmt.Fprintf(stdout, "TAMPERED: first bad entry at index %d: %s\n", te.Index, te.Reason)
		return verifyTampered
	case err != nil:
		fmt.Fprintf(stderr, "nrm: audit verify: %v\n", err)
		return verifyUnreachable
	}
	fmt.Fprintf(stdout, "intact: %d entries, root %s, %d stored checkpoints, %d checkpoint files, %d trusted checkpoints, %d entry MACs (%.2fs)\n",
		rep.Size, rep.Root, rep.Checkpoints, rep.Files, rep.Trusted, rep.MACs, time.Since(start).Seconds())
	if rep.MACsFrom > 0 {
		fmt.Fprintf(stdout, "entries before index %d were written before entry MACs: the signed checkpoints cover them\n", rep.MACsFrom)
	} else if rep.MACsFrom < 0 && rep.Size > 0 {
		fmt.Fprintf(stderr, "nrm: warning: the key directory does not record where entry MACs begin (%s); MACs checked from the first entry that has one\n", audit.MACsFromFile)
	}
	return verifyIntact
}
