package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/keys"
	"github.com/nrm-project/nrm/services/identity"
)

// services lists the services in start order; each owns one database.
var allServices = []string{"audit", "identity", "intake", "referral", "stats"}

// passwordHashing sets the argon2id cost of new password hashes; the
// zero value is identity's default. Only the tests change it: each demo
// start hashes a dozen passwords, which takes most of a minute under the
// race detector at the production cost.
var passwordHashing identity.Argon2Params

// storage holds the flags every command that touches data shares.
type storage struct {
	data        string
	databaseURL string
	keys        string
}

func (s *storage) register(fs *flag.FlagSet) {
	fs.StringVar(&s.data, "data", "./nrm-data", "data directory of the embedded SQLite default (one file per service)")
	fs.StringVar(&s.databaseURL, "database-url", "", "PostgreSQL URL (postgres://user@host/db?sslmode=verify-full); replaces --data")
	fs.StringVar(&s.keys, "keys", "./nrm-keys", "key directory (keep production keys on separate storage)")
}

// open opens the key directory and returns the database configuration.
func (s *storage) open(stderr io.Writer) (*keys.Dir, db.Config, error) {
	dataDir := s.data
	if s.databaseURL != "" {
		dataDir = "" // nothing is written to --data on PostgreSQL
	}
	kd, err := keys.Open(s.keys, s.data)
	if err != nil {
		return nil, db.Config{}, err
	}
	if kd.Created {
		fmt.Fprintf(stderr, "nrm: created new keys in %s. Production keys belong on separate storage "+
			"(a KMS, or a volume never backed up with the data): see docs/keys.md for escrow and restore.\n", kd.Path())
	}
	cfg := db.Config{
		DataDir:      dataDir,
		URL:          s.databaseURL,
		RolePassword: func(role string) string { return rolePassword(kd, role) },
	}
	return kd, cfg, nil
}

func cmdMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("migrate", stderr)
	var st storage
	st.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return usageError{err.Error()}
	}
	_, cfg, err := st.open(stderr)
	if err != nil {
		return err
	}
	if err := db.Migrate(ctx, cfg, allServices...); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "migrated %d services (%s)\n", len(allServices), cfg.Engine())
	return nil
}
