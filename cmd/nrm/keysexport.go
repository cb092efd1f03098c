package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"slices"

	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/keys"
	"github.com/nrm-project/nrm/services/audit"
)

// serviceKeys lists the subkeys and key files each service uses: what
// `nrm keys export` gives a service's own key directory in a split
// deployment. Intake alone seals and holds case keys; audit alone signs
// checkpoints; identity alone signs tokens (the others fetch its public
// keys over mutual TLS).
var serviceKeys = map[string]struct {
	purposes []keys.Purpose
	files    []string
}{
	"identity": {[]keys.Purpose{keys.PurposeUserMAC, keys.PurposeTOTPSecrets, keys.PurposeRefreshTokens,
		"identity/password-resets/v1", keys.PurposeClientAddress}, []string{"token-signing.key"}},
	"intake": {[]keys.Purpose{keys.PurposeWrap, keys.PurposeSectionMAC, keys.PurposeBlindIndex, keys.PurposePseudonym,
		keys.PurposeCaseKeys, keys.PurposeClientAddress, keys.PurposeIdempotency}, nil},
	"referral": {[]keys.Purpose{keys.PurposeClientAddress, keys.PurposePseudonym, keys.PurposeWebhook, keys.PurposeIdempotency}, nil},
	"stats":    {[]keys.Purpose{keys.PurposeClientAddress}, nil},
	"audit":    {[]keys.Purpose{keys.PurposeClientAddress, keys.PurposeAuditLeafMAC}, []string{audit.KeyFile, audit.PubFile, audit.MACsFromFile}},
	// The pages: their session cookie, and the checkpoints' verifier key.
	webService: {[]keys.Purpose{keys.PurposeWebSession}, []string{audit.PubFile}},
}

// rolePassword derives the password of a database login role from the
// master key (nrm migrate sets it; an exported directory carries its
// service's alone).
func rolePassword(kd *keys.Dir, role string) string {
	if kd.Exported() {
		b, _ := kd.Secret("db-password:" + role)
		return string(b)
	}
	m := hmac.New(sha256.New, kd.Subkey(keys.PurposeDBRoles))
	m.Write([]byte(role))
	return hex.EncodeToString(m.Sum(nil))
}

// checkServiceKeys refuses to start services whose keys an exported
// directory lacks, naming them.
func checkServiceKeys(kd *keys.Dir, services []string) error {
	if !kd.Exported() {
		return nil
	}
	if services == nil {
		return fmt.Errorf("keys: %s is a service's exported key directory: one process running every service needs the full directory", kd.Path())
	}
	for _, s := range services {
		if m := kd.Missing(serviceKeys[s].purposes...); len(m) > 0 {
			return fmt.Errorf("keys: %s holds no key for %v, which %s uses (nrm keys export --service %s)", kd.Path(), m, s, s)
		}
	}
	return nil
}

// cmdKeysExport writes a service's own key directory from the full one.
func cmdKeysExport(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("keys export", stderr)
	var st storage
	st.register(fs)
	var services listFlag
	fs.Var(&services, "service", "the service(s) the directory is for (repeatable)")
	out := fs.String("out", "", "directory to write (created 0700, files 0600)")
	if err := parseFlags(fs, args); err != nil {
		return usageError{err.Error()}
	}
	if *out == "" || len(services) == 0 {
		return usageError{"usage: nrm keys export --keys FULL_DIR --service NAME --out DIR [--database-url URL]"}
	}
	if err := checkSplit(services); err != nil {
		return err
	}
	kd, err := keys.Open(st.keys, st.data)
	if err != nil {
		return err
	}
	var purposes []keys.Purpose
	var files []string
	secrets := map[string]string{}
	for _, s := range services {
		for _, p := range serviceKeys[s].purposes {
			if !slices.Contains(purposes, p) {
				purposes = append(purposes, p)
			}
		}
		files = append(files, serviceKeys[s].files...)
		if st.databaseURL != "" && s != webService { // the pages have no database
			role, err := db.RoleName(st.databaseURL, s)
			if err != nil {
				return err
			}
			secrets["db-password:"+role] = rolePassword(kd, role)
		}
	}
	if err := keys.Export(kd, *out, purposes, secrets, files); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "exported the keys of %v to %s (%d subkeys, no master key)\n", []string(services), *out, len(purposes))
	if slices.Contains(services, "intake") {
		fmt.Fprintf(stderr, "nrm: intake's case keys live in its key directory (cases/): move that directory there, never copy it (a copy outlives a purge).\n")
	}
	return nil
}
