// Package apiclient is a Go client of the NRM API generated from
// cmd/nrm/openapi.yaml by oapi-codegen. It proves the document is complete
// enough for a partner to build on: the journey test drives the API with
// it alone, and TestGeneratedClientIsCurrent fails when the document
// changes and this code was not generated again.
package apiclient

//go:generate go tool oapi-codegen -config oapi-codegen.yaml ../../openapi.yaml
