package kit

import (
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"
)

// MaxBodyBytes is the default limit on a request body.
const MaxBodyBytes = 1 << 20

// DecodeJSON decodes exactly one JSON object from the request body into v,
// refusing unknown fields, trailing data, wrong types and bodies over
// MaxBodyBytes. Every failure is an *Error with a stable code; messages name
// fields, never values.
func DecodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return NewError(http.StatusUnsupportedMediaType, CodeUnsupportedMedia, "content type must be application/json")
		}
	}
	body := http.MaxBytesReader(w, r.Body, MaxBodyBytes)
	return decodeJSON(body, v)
}

// DecodeJSONBytes applies the same rules to a byte slice (for fuzzing and
// for callers that already hold the body).
func DecodeJSONBytes(b []byte, v any) error {
	if len(b) > MaxBodyBytes {
		return errBodyTooLarge
	}
	return decodeJSON(strings.NewReader(string(b)), v)
}

var errBodyTooLarge = NewError(http.StatusRequestEntityTooLarge, CodeBodyTooLarge,
	fmt.Sprintf("request body must not exceed %d bytes", MaxBodyBytes))

func decodeJSON(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return errBodyTooLarge
		}
		return NewError(http.StatusBadRequest, CodeInvalidJSON, "request body must hold a single JSON object")
	}
	return nil
}

// jsonKind names the JSON type a Go type decodes from, so that a message
// names what the client must send, never a Go type of ours.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "value"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Implements(textUnmarshaler) || reflect.PointerTo(t).Implements(textUnmarshaler) {
		return "string"
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return "string"
		}
		return "array"
	case reflect.Map, reflect.Struct:
		return "object"
	}
	return "value"
}

var textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()

func jsonError(err error) error {
	var (
		mbe *http.MaxBytesError
		ute *json.UnmarshalTypeError
		se  *json.SyntaxError
	)
	switch {
	case errors.As(err, &mbe):
		return errBodyTooLarge
	case errors.As(err, &ute):
		field := ute.Field
		if field == "" {
			return NewError(http.StatusBadRequest, CodeInvalidType, "request body must be a JSON object")
		}
		return NewError(http.StatusBadRequest, CodeInvalidType,
			fmt.Sprintf("field %q must be of type %s", field, jsonKind(ute.Type)))
	case errors.As(err, &se), errors.Is(err, io.ErrUnexpectedEOF):
		return NewError(http.StatusBadRequest, CodeInvalidJSON, "request body is not valid JSON")
	case errors.Is(err, io.EOF):
		return NewError(http.StatusBadRequest, CodeInvalidJSON, "request body is empty")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.TrimPrefix(err.Error(), "json: unknown field ")
		if len(name) > 66 {
			name = name[:64] + `…"`
		}
		return NewError(http.StatusBadRequest, CodeUnknownField, "unknown field "+name)
	}
	return NewError(http.StatusBadRequest, CodeInvalidJSON, "request body is not valid JSON")
}
