package main

import (
	"context"
	"slices"

	"github.com/go-kit/log"

	"github.com/nrm-project/nrm/pkg/lease"
)

// singleton is a job that runs on one replica at a time across every
// process on the same PostgreSQL database, under the lease called name.
type singleton struct {
	name, service string
	fn            func(context.Context) error
}

// singletons returns the loops running jobs: one lease group per service
// database, each holding its leases on one connection; the other replicas
// wait and take over when the holder stops (see pkg/lease for the
// periods). On SQLite, one process, the jobs just run.
func (s *system) singletons(jobs []singleton) []func(context.Context) error {
	groups := map[string]*lease.Group{}
	var order []string
	for _, j := range jobs {
		g := groups[j.service]
		if g == nil {
			g = lease.NewGroup(s.dbs[j.service], lease.Options{Logger: log.With(s.logger, "leases", j.service)})
			groups[j.service] = g
			order = append(order, j.service)
		}
		g.Add(j.name, j.fn)
	}
	slices.Sort(order)
	var out []func(context.Context) error
	for _, svc := range order {
		out = append(out, groups[svc].Run)
	}
	return out
}
