// Package group runs work for callers that arrive together in one go
// (group commit): while one batch is being written, the callers that come
// wait, and the next of them writes all of theirs at once. Each caller
// returns only once its own item has been handled.
package group
