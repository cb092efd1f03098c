// Package transporttest holds what the fuzz tests of intake's decoders
// share (cases and its grants, workflow): one way to feed a decoder a
// path id and a body, and one check of what it refuses, so that every
// service's decoders are held to the same contract.
//
// Only tests import it.
package transporttest
