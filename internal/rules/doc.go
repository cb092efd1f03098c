// Package rules holds the code base's import rules as a test: what may
// depend on what. The rules are the security and ownership boundaries
// docs/architecture.md draws, checked on the import graph the Go tool
// reports, so a change that crosses one fails the suite:
//
//   - pkg/ is shared infrastructure and imports no service;
//   - referral, audit and stats never depend on pkg/seal or age: they never
//     hold a case's keys or plaintext (intake builds the external package);
//   - stats and referral never depend on intake: they reach it through
//     their own interfaces, adapted in cmd/nrm;
//   - no service imports another service's store;
//   - referral's sub-packages depend only downward: never on the referral
//     service, and on a sibling only when referralLayers lists it (routing
//     and external on directory, notices on webhooks);
//   - intake's sub-packages likewise (intakeLayers): the store never imports
//     the services above it, oversight never imports cases.
//   - in referral, identity, stats and audit, only store files run SQL
//     statements (sql_test.go): files named store*.go, or any file of a
//     package named store; no service method runs one itself.
//
// One rule reads the syntax tree instead (statements.go): no file of
// intake outside its store runs a statement (QueryContext, ExecContext,
// QueryRowContext and the like), but the key ring over org_keys, the
// table it owns.
//
// Only production code is checked: tests may wire services together.
package rules
