// Package wire writes and reads the length-prefixed fields of NRM's binary
// formats: wrap payloads, MAC and AAD inputs (pkg/seal) and case key files
// (pkg/keys). Every variable-length field is a uvarint length followed by
// its bytes, so no two distinct lists of fields encode to the same bytes.
package wire
