// Package stats is the statistics service: anonymised tables for the
// national coordination commission, fed only by the de-identified domain
// events (pkg/facts) that intake, the decision workflow and referral send
// through their outboxes on topic "stats". It has its own database and no
// route to case content.
//
// Legal basis: the tables are produced under the mechanism's reporting
// duty to the commission, not on consent; no event is filtered by a
// consent flag, so the figures count every identified person.
//
// Facts (cases, links, decision and referral events) are keyed by the
// pseudonymous case key and hold coarse codes only. Each record gets a
// fixed random record key in [0, 2^32) at first receipt. The receiver
// (Stats.Receive) applies each event once, by id, and in the same
// transaction adds to per-cell aggregates the difference the event makes
// to the cells of the linked cases it touches: a count, the sum of the
// record keys mod 2^32 (the cell key), and a histogram of durations for
// medians. The cells of a case are a pure function of its facts, so
// duplicates and order of arrival do not change the figures; persons
// (cases linked as the same person, union-find over the links) are counted
// once, under the earliest identified case.
//
// Every published cell is perturbed by the cell-key method (Thompson,
// Broadfoot and Elazar 2013): the perturbation table of the disclosure
// policy (package disclosure, embedded; a stats-disclosure.json in the
// --policies directory replaces it) maps (count, cell key) to bounded,
// zero-mean noise; cells whose perturbed value is below the threshold are
// suppressed. Totals are cells of their own records, perturbed the same
// way. An optional differential-privacy mode answers tables of a named
// release with two-sided geometric noise, spending from the release's
// budget and from one privacy ledger per table family and month shared by
// every release and analyst (ledger.go): once a month's budget is spent,
// no answer over it is given.
//
// Release control (release.go): figures are served only from releases,
// frozen snapshots of a period's tables stored in the stats database,
// listed with their status (provisional or final), the time their data is
// as of and the tables they withheld with the reason. Reading an open
// period never released makes no release. A
// table is published afresh only when at least K cases (policy
// release_min_changes) changed in it since every stored answer of an
// overlapping period; otherwise the previous figures stand, so two
// published versions never single out fewer than K cases by difference.
// The catalogue, and the cells a case's facts fall in, are package
// catalogue. docs/statistics.md has the catalogue and the method.
//
// Every read, and every denial, is an audit event in the stats outbox,
// written before the answer is returned.
package stats
