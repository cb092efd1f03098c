// Package notices is every signed-in user's inbox: what the services told
// them, their role in their organisation, their organisation, or the
// national desk. It is a go-kit service of its own (Service, Endpoints, an
// HTTP transport and client) over the referral database, which already
// holds the organisations' webhooks.
//
// Notices arrive two ways. Other services (intake, identity) emit them on
// their outbox (pkg/notice, topic "notice"); Inbox.Receive stores each
// once by id, since delivery is at least once, and drops one that fails
// the contract rather than block the outbox. Referral stores the ones it
// raises itself with Put, in the transaction of the change. A new notice
// addressed to an organisation with a webhook also queues a signed
// delivery (package webhooks, below this one).
//
// A notice is codes, ids and dates only: never a name or free text. A user
// sees only what is addressed to them in their organisation, to their
// organisation, to one of their roles there, or to the national desk when
// they sit on it (store.go, visible); marking another's notice read is
// the same 404 as a notice that does not exist, and audited as denied.
// Notices are kept for Retention, then Expire deletes them with their
// read marks. docs/notifications.md lists the kinds.
package notices
