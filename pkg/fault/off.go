//go:build !chaos

package fault

// Enabled reports whether this binary carries the fault hooks.
const Enabled = false

// Check returns nil: this build carries no fault hooks.
func Check(Point) error { return nil }
