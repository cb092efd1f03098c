// Package transport holds what intake's HTTP transports share, so that
// the cases, workflow and oversight services mount their routes, check
// their requests and make their client calls one way: Handle (how intake's
// handler mounts a route), Call (how intake's client sends one request),
// and the checks of ids in the path and the body and of a body where none
// is taken.
//
// It depends only on casefile (what an id is) and pkg; the services
// (cases and its grants, workflow, oversight) and the root package use it
// (internal/rules).
package transport
