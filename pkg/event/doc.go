// Package event defines the audit event every service emits through its
// outbox. An event says who did what to which object and how it ended; it
// has no field that could hold personal data, and its free-form fields are
// restricted to code-like values.
package event
