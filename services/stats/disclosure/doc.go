// Package disclosure is the statistics service's disclosure-control
// policy: the cell-key perturbation table (Thompson, Broadfoot and Elazar
// 2013), the suppression threshold, release control's K, and the
// differential-privacy settings, read from stats-disclosure.json (an
// embedded default, replaced by one in the --policies directory) and
// validated once.
//
// Policy.Publish is the whole of the cell-key method: a cell of true
// count n and cell key k (the sum of its records' keys mod 2^32) moves by
// the noise the row of n assigns to the point k/2^32 of [0, 1), and is
// suppressed below the threshold. The same records always give the same
// key, so the same figure: averaging repeated answers learns nothing.
//
// It holds no state and reads no database; the stats package applies it.
package disclosure
