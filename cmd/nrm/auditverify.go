package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/keys"
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
	var witnessKeys listFlag
	fs.Var(&witnessKeys, "witness-key", "a witness's verifier key, or a file holding it (repeatable): the checkpoint checked (with --url the latest; else every --trusted one and the checkpoint directory's latest) must carry its valid cosignature")
	minCosigs := fs.Int("min-cosignatures", -1, "how many of the --witness-key witnesses must have cosigned (default: all of them)")
	if err := parseFlags(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return verifyIntact
		}
		fmt.Fprintf(stderr, "nrm: %v\n", err)
		return verifyUsage
	}
	cosigs, err := cosignaturePolicy(witnessKeys, *minCosigs)
	if err != nil {
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
		return verifyURL(ctx, remote, trusted, pinned, cosigs, stdout, stderr)
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
	if cosigs.min > 0 {
		n, err := checkCosigned(kd, checkpointDir, opts.Trusted, cosigs)
		if err != nil {
			fmt.Fprintf(stdout, "NOT WITNESSED: %v\n", err)
			return verifyTampered
		}
		fmt.Fprintf(stdout, "witnessed: %d checkpoints carry %d or more cosignatures of the given witnesses\n", n, cosigs.min)
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

// cosignatureRule is what a verification requires of witnesses: min valid
// cosignatures among keys.
type cosignatureRule struct {
	keys []string
	min  int
}

func cosignaturePolicy(keys []string, min int) (cosignatureRule, error) {
	r := cosignatureRule{min: min}
	for _, k := range keys {
		if b, err := os.ReadFile(k); err == nil {
			k = strings.TrimSpace(string(b))
		}
		if _, err := note.NewVerifier(k); err != nil {
			return r, fmt.Errorf("--witness-key %q: not a verifier key nor a file holding one", k)
		}
		r.keys = append(r.keys, k)
	}
	switch {
	case min < 0:
		r.min = len(r.keys)
	case min > len(r.keys):
		return r, fmt.Errorf("--min-cosignatures %d with %d --witness-key", min, len(r.keys))
	}
	return r, nil
}

// checkCosigned checks every trusted checkpoint and the checkpoint
// directory's latest copy against rule, and returns how many it checked.
func checkCosigned(kd *keys.Dir, dir string, trusted [][]byte, rule cosignatureRule) (int, error) {
	vkey, err := audit.VerifierKey(kd)
	if err != nil {
		return 0, err
	}
	msgs := slices.Clone(trusted)
	if dir != "" {
		if b, err := os.ReadFile(filepath.Join(dir, "latest")); err == nil {
			msgs = append(msgs, b)
		}
	}
	if len(msgs) == 0 {
		return 0, errors.New("no checkpoint to check for cosignatures (give --trusted or --checkpoint-dir)")
	}
	for _, m := range msgs {
		if err := audit.CheckCosignatures(m, vkey, rule.keys, rule.min); err != nil {
			return 0, err
		}
	}
	return len(msgs), nil
}
