// Package authz decides what a role may do to a kind of object, with one
// shared Casbin enforcer loaded from policies/ (deny by default), and
// provides the go-kit endpoint middleware that applies it to the principal
// in the request context. Which instances a caller may touch (own
// organisation, granted, other) is decided by each service.
package authz
