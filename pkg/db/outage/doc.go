// Package outage tells an infrastructure failure (a database that cannot
// be reached, is shutting down, is out of disk or connections, a lock or
// connection wait past the request's budget) from a defect. An outage is
// answered 503 with Retry-After, a defect 500: a client can act on the
// first by retrying, never on the second.
package outage
