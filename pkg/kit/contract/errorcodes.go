package contract

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

// ErrorCodesKey is the operation extension listing, per error status, the
// codes the operation answers: `x-error-codes: {'404': [not_found]}`.
// Clients match on these codes; the validator refuses an answer whose
// code the operation does not list.
const ErrorCodesKey = "x-error-codes"

// RecordEnv names a file: when set, an undocumented error code does not
// fail the test but is appended there as a Record line, for
// `go run ./internal/errcodes FILE` to add to the document.
const RecordEnv = "NRM_CONTRACT_RECORD"

// UndocumentedCode is the drift of an error answer whose code its
// operation does not list.
type UndocumentedCode struct{ Record Record }

func (e *UndocumentedCode) Error() string {
	return fmt.Sprintf("%s answered %d %s, a code its %s does not list (record: %s)",
		e.Record.Operation, e.Record.Status, e.Record.Code, ErrorCodesKey, e.Record)
}

// Record is one error answer: the operation, the status and the code.
// Its text form, "operationId status code", is one line of a record file.
type Record struct {
	Operation string
	Status    int
	Code      string
}

func (r Record) String() string { return fmt.Sprintf("%s %d %s", r.Operation, r.Status, r.Code) }

// ErrorCodes returns the operation's listed codes per status ("404").
func ErrorCodes(op *openapi3.Operation) (map[string][]string, error) {
	raw, ok := op.Extensions[ErrorCodesKey]
	if !ok {
		return nil, fmt.Errorf("%s lists no %s", op.OperationID, ErrorCodesKey)
	}
	b, err := json.Marshal(raw)
	if err != nil {
		return nil, err
	}
	var codes map[string][]string
	if err := json.Unmarshal(b, &codes); err != nil {
		return nil, fmt.Errorf("%s: %s is not a map of status to codes: %w", op.OperationID, ErrorCodesKey, err)
	}
	return codes, nil
}

// checkErrorCode refuses an error answer whose code the operation does not
// list under its status.
func checkErrorCode(op *openapi3.Operation, status int, body []byte) error {
	if status < 400 {
		return nil
	}
	var answer struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &answer) != nil || answer.Error.Code == "" {
		return nil // not an error body: the schema check speaks for it
	}
	if op.OperationID == "" {
		return fmt.Errorf("answered %d %s on an operation without an operationId", status, answer.Error.Code)
	}
	codes, err := ErrorCodes(op)
	if err != nil {
		codes = nil
	}
	if slices.Contains(codes[strconv.Itoa(status)], answer.Error.Code) {
		return nil
	}
	return &UndocumentedCode{Record{op.OperationID, status, answer.Error.Code}}
}

var recordMu sync.Mutex

// report fails tb with err, unless err is an undocumented code and the
// record file is set: then the code is appended there.
func report(tb interface{ Errorf(string, ...any) }, method, path string, err error) {
	var undoc *UndocumentedCode
	if file := os.Getenv(RecordEnv); file != "" && errors.As(err, &undoc) {
		recordMu.Lock()
		defer recordMu.Unlock()
		f, ferr := os.OpenFile(file, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if ferr == nil {
			_, ferr = fmt.Fprintln(f, undoc.Record)
			if cerr := f.Close(); ferr == nil {
				ferr = cerr
			}
		}
		if ferr == nil {
			return
		}
		err = fmt.Errorf("%w (and the record file: %v)", err, ferr)
	}
	tb.Errorf("contract: %s %s: %v", method, path, err)
}

// MissingCodes lists the records of recs that doc does not list yet, sorted
// and without repeats.
func MissingCodes(doc *openapi3.T, recs []Record) []Record {
	byID := map[string]*openapi3.Operation{}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			byID[op.OperationID] = op
		}
	}
	var out []Record
	for _, r := range recs {
		if op := byID[r.Operation]; op != nil {
			codes, _ := ErrorCodes(op)
			if slices.Contains(codes[strconv.Itoa(r.Status)], r.Code) {
				continue
			}
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return slices.Compact(out)
}

// GenericCodes returns, for every error status an operation documents
// without listing its codes, the code the shared middleware answers with
// at that status: the body decoder's four at 400 (validation_failed alone
// without a body), unauthenticated and forbidden on routes that take a
// token, not_found, method_not_allowed, body_too_large,
// unsupported_media_type, rate_limited, internal, unavailable. Statuses
// whose codes are the operation's own (409, 410, 422) are left to be
// traced in the code.
func GenericCodes(doc *openapi3.T) []Record {
	var out []Record
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			codes, _ := ErrorCodes(op)
			public := op.Security != nil && len(*op.Security) == 0
			for st, r := range op.Responses.Map() {
				if r.Value == nil || len(codes[st]) > 0 {
					continue
				}
				if mt := r.Value.Content.Get("application/json"); mt == nil || mt.Schema == nil || !strings.HasSuffix(mt.Schema.Ref, "/schemas/Error") {
					continue
				}
				status, _ := strconv.Atoi(st)
				for _, c := range middlewareCodes(status, op.RequestBody != nil, public) {
					out = append(out, Record{op.OperationID, status, c})
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

func middlewareCodes(status int, body, public bool) []string {
	switch status {
	case 400:
		if body {
			return []string{"invalid_json", "invalid_type", "unknown_field", "validation_failed"}
		}
		return []string{"validation_failed"}
	case 401, 403:
		if public {
			return nil
		}
		return []string{map[int]string{401: "unauthenticated", 403: "forbidden"}[status]}
	}
	c := map[int]string{404: "not_found", 405: "method_not_allowed", 413: "body_too_large", 415: "unsupported_media_type",
		429: "rate_limited", 500: "internal", 503: "unavailable"}[status]
	if c == "" {
		return nil
	}
	return []string{c}
}
