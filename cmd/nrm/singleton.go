package main

import (
	"context"

	"github.com/go-kit/log"

	"github.com/nrm-project/nrm/pkg/lease"
)

// once runs fn on one replica at a time across every process on the same
// PostgreSQL database, under the lease called name taken on service's
// database; the others wait and take over when the holder stops (see
// pkg/lease for the periods). On SQLite, one process, fn just runs.
func (s *system) once(name, service string, fn func(context.Context) error) func(context.Context) error {
	d := s.dbs[service]
	opts := lease.Options{Logger: log.With(s.logger, "lease", name)}
	return func(ctx context.Context) error { return lease.Run(ctx, d, name, opts, fn) }
}
