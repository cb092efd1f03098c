// Package ledger is the statistics service's privacy ledger.
//
// Differential privacy composes: k answers at epsilon each about the same
// records are one answer at k times epsilon, whoever asked them and in
// whichever release. A budget per release is therefore no budget
// (averaging a few hundred releases recovers a suppressed count exactly).
// The ledger keeps, per table family (the tables over the same records)
// and month, the epsilon spent by every answer, and refuses an answer
// that would take a month past the configured budget. A question over a
// quarter or a year spends from each of its months: its records are
// theirs, and ledgers per asked period would let the months, the quarter
// and the year each be spent in full on the same records.
//
// The ledger counts in whole millionths of epsilon (integers), so that no
// sum of answers can be absorbed by rounding: a float ledger with a
// tolerance let an answer of epsilon 1e-20 pass forever.
//
// It owns the privacy_ledger table of the stats database and runs its
// statements in the caller's transaction, so an answer and what it spends
// commit together. Only answers spend: a stored answer read again, or a
// snapshot (cell-key) release, spends nothing.
package ledger
