package kit

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

type sample struct {
	Name  string   `json:"name"`
	Count int      `json:"count"`
	Tags  []string `json:"tags"`
}

func TestDecodeJSON(t *testing.T) {
	big := `{"name":"` + strings.Repeat("a", 2<<20) + `"}`
	cases := []struct {
		name, body, ctype string
		status            int
		code              string
	}{
		{"valid", `{"name":"x","count":2,"tags":["a"]}`, "application/json", 0, ""},
		{"valid without content type", `{"name":"x"}`, "", 0, ""},
		{"malformed", `{"name":`, "application/json", 400, CodeInvalidJSON},
		{"not json", `name=x`, "application/json", 400, CodeInvalidJSON},
		{"empty", ``, "application/json", 400, CodeInvalidJSON},
		{"unknown field", `{"name":"x","role":"admin"}`, "application/json", 400, CodeUnknownField},
		{"wrong type", `{"count":"two"}`, "application/json", 400, CodeInvalidType},
		{"array not object", `[1,2]`, "application/json", 400, CodeInvalidType},
		{"trailing data", `{"name":"x"}{"name":"y"}`, "application/json", 400, CodeInvalidJSON},
		{"two MiB body", big, "application/json", 413, CodeBodyTooLarge},
		{"form content type", `{"name":"x"}`, "application/x-www-form-urlencoded", 415, CodeUnsupportedMedia},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/", bytes.NewBufferString(tc.body))
			if tc.ctype != "" {
				r.Header.Set("Content-Type", tc.ctype)
			}
			var v sample
			err := DecodeJSON(httptest.NewRecorder(), r, &v)
			if tc.status == 0 {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not a *kit.Error", err)
			}
			if e.Status != tc.status || e.Code != tc.code {
				t.Fatalf("got %d %s, want %d %s", e.Status, e.Code, tc.status, tc.code)
			}
		})
	}
}

func TestWriteErrorHidesUnknownErrors(t *testing.T) {
	w := httptest.NewRecorder()
	WriteError(w, errors.New("pq: relation secret_table does not exist"))
	if w.Code != 500 {
		t.Fatalf("status %d", w.Code)
	}
	if strings.Contains(w.Body.String(), "secret_table") {
		t.Fatalf("internal detail leaked: %s", w.Body.String())
	}
	if !strings.Contains(w.Body.String(), `"code":"internal"`) {
		t.Fatalf("body %s", w.Body.String())
	}
}

func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{`{"name":"x","count":1}`, `{"tags":[]}`, `{`, `null`, `{"name":1}`, `{"a":1}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var v sample
		err := DecodeJSONBytes(b, &v)
		if err == nil {
			return
		}
		var e *Error
		if !errors.As(err, &e) || e.Status < 400 || e.Status > 499 {
			t.Fatalf("decode error %v is not a 4xx *kit.Error", err)
		}
	})
}
