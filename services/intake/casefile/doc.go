// Package casefile is intake's shared domain: what the registration,
// workflow and oversight parts of intake all speak and none owns.
//
//   - case.go: the case as the API speaks it: the registration and its
//     sections, consent records, grants, possible duplicates, the decision
//     and support tracks' states and records, the case record's entries,
//     caseload next steps, the id check, and the domain's errors. Intake
//     re-exports these names.
//   - oversight.go: what oversight records: emergency accesses
//     (break-the-glass), disclosures outside the system, and the state of
//     an organisation's key ring as its administrator follows it.
//   - consent.go: the current consent for a purpose, whether data
//     sharing covers an organisation kind, the refusal naming a missing
//     consent.
//   - registration.go and grant.go: the checks of a registration, a
//     consent and a grant request as given (every failing field named at
//     once), and the consent rule of sharing a case's sections (a grant or
//     a transfer).
//   - taxonomy.go: the closed code lists a case is described by (routes,
//     exploitation types, needs, nationalities, languages, organisation
//     kinds, consent and grant purposes). Labels are translated by the web
//     pages; the services store and compare codes only.
//   - policy.go: the workflow policy (policies/workflow.json, or the
//     deployment's copy): decision deadlines, the reflection and
//     reconsideration periods, break-the-glass hours, the grant follow-up
//     window, retention periods, disclosure lists, and the working-day
//     calendar deadlines are counted in. It is parsed once, at start, and
//     passed to intake.New.
//
// Nothing here reads the database, holds a key or knows a caller.
package casefile
