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

// cmdAuditVerify checks the audit log and returns the exit code: 0 intact,
// 1 tampered (naming the first bad entry), 2 for a usage error, 3 when the
// check itself could not run.
func cmdAuditVerify(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("audit verify", stderr)
	var st storage
	st.register(fs)
	var trusted listFlag
	var checkpointDir string
	fs.Var(&trusted, "trusted", "a checkpoint held elsewhere (a witness's copy); the log must contain it (repeatable)")
	fs.StringVar(&checkpointDir, "checkpoint-dir", "", "checkpoint copies to check too (default: <keys>/checkpoints when present)")
	if err := parseFlags(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "nrm: %v\n", err)
		return 2
	}
	kd, cfg, err := st.open(stderr)
	if err != nil {
		fmt.Fprintf(stderr, "nrm: %v\n", err)
		return 3
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
			return 2
		}
		opts.Trusted = append(opts.Trusted, b)
	}
	if cfg.Engine() == db.SQLite {
		if _, err := os.Stat(cfg.DataDir); err != nil {
			fmt.Fprintf(stderr, "nrm: no data directory at %s\n", cfg.DataDir)
			return 3
		}
	}
	d, err := db.Open(ctx, cfg, "audit")
	if err != nil {
		fmt.Fprintf(stderr, "nrm: %v\n", err)
		return 3
	}
	defer d.Close()
	start := time.Now()
	rep, err := audit.Verify(ctx, d, opts)
	var te *audit.TamperError
	switch {
	case errors.As(err, &te):
		fmt.Fprintf(stdout, "TAMPERED: first bad entry at index %d: %s\n", te.Index, te.Reason)
		return 1
	case err != nil:
		fmt.Fprintf(stderr, "nrm: audit verify: %v\n", err)
		return 3
	}
	fmt.Fprintf(stdout, "intact: %d entries, root %s, %d stored checkpoints, %d checkpoint files, %d trusted checkpoints, %d entry MACs (%.2fs)\n",
		rep.Size, rep.Root, rep.Checkpoints, rep.Files, rep.Trusted, rep.MACs, time.Since(start).Seconds())
	if rep.MACsFrom > 0 {
		fmt.Fprintf(stdout, "entries before index %d were written before entry MACs: the signed checkpoints cover them\n", rep.MACsFrom)
	} else if rep.MACsFrom < 0 && rep.Size > 0 {
		fmt.Fprintf(stderr, "nrm: warning: the key directory does not record where entry MACs begin (%s); MACs checked from the first entry that has one\n", audit.MACsFromFile)
	}
	return 0
}
