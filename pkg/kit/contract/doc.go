// Package contract holds the API's OpenAPI document to its handlers in
// tests: a wrapped handler or transport checks every request and answer
// that crosses it against cmd/nrm/openapi.yaml with kin-openapi, and fails
// the test on any drift — an undocumented status, a body that does not match
// its schema, a body the document does not describe, or a request the
// document refuses that the handler accepted.
package contract
