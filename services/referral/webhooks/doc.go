// Package webhooks is how referral tells an organisation's own system that
// something happened: a POST to the URL the organisation set in its
// directory entry, signed so the receiver knows it came from here.
//
// Three steps, each in its own file, their statements in store.go:
//
//   - queue.go: Queue stores a delivery in the transaction of the change
//     that caused it, so a delivery exists exactly when the change does.
//     The body is ids, codes and dates only, never anything about a person.
//   - send.go: a Sender posts the deliveries that are due. Each is claimed
//     by moving its next attempt a lease ahead, so two sweepers never send
//     the same one; a failure is retried after 30 s doubling to an hour, at
//     most MaxAttempts times; redirects are never followed.
//   - secret.go and sign.go: each organisation's secret is an HMAC of its
//     id and a generation under the deployment's webhook key, so none is
//     stored and a rotation (Issue) makes a new one. Sign is HMAC-SHA256
//     over the timestamp header, a dot and the body (docs/webhooks.md).
//
// It reads and writes only the webhook columns of the providers table and
// the webhook_deliveries table. Who may set a webhook or rotate a secret,
// and the audit of it, are the referral service's.
package webhooks
