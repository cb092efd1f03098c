// Package witness is a transparency-log witness for NRM's audit log, after
// the C2SP tlog-witness protocol: it keeps the last checkpoint of the log
// it has seen, and cosigns a new one only when the log's key signed it and
// a consistency proof shows the new tree contains the old one. Two
// checkpoints of one size with different roots, or a tree that does not
// extend the witnessed one, are refused and kept as evidence of a fork.
// A deployment gives one to the commission or a partner (nrm witness), so
// that the operator alone cannot show two histories.
package witness
