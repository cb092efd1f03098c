// Package fault holds the fault hooks of the fault suite (internal/chaos,
// cmd/nrm-chaos). They exist only in a binary built with -tags chaos: in
// every other build Check is a constant nil the compiler removes.
//
// In a chaos build, a fault is on while a file of its name exists in the
// directory named by NRM_FAULT_DIR, so the suite turns faults on and off
// in a running server without restarting it:
//
//   - audit-stall: the audit log refuses every delivered event, as when
//     its database refuses the audit role's INSERT (on PostgreSQL the suite
//     revokes that grant instead);
//   - disk-full: every database transaction fails to begin with ENOSPC,
//     as on a full disk (where the suite cannot mount a small tmpfs).
package fault

// A Point is a place where a fault can be injected.
type Point string

// Fault points.
const (
	AuditStall Point = "audit-stall"
	DiskFull   Point = "disk-full"
)

// DirEnv names the directory whose files turn faults on (chaos builds).
const DirEnv = "NRM_FAULT_DIR"
