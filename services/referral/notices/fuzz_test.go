package notices

import (
	"context"
	"errors"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/nrm-project/nrm/pkg/kit"
)

// FuzzDecodeMarkRead: any body decodes or is a 4xx.
func FuzzDecodeMarkRead(f *testing.F) {
	for _, s := range []string{`{"ids":["7b0c6f1e-3d0a-4c55-9d7e-2a4f7c9e1b00"]}`, `{"ids":"x"}`, `{"ids":[1]}`, `{"all":true}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		_, err := decodeMarkReadBody(b)
		var e *kit.Error
		if err != nil && (!errors.As(err, &e) || e.Status < 400 || e.Status > 499) {
			t.Fatalf("decode error %v is not a 4xx *kit.Error", err)
		}
	})
}

// FuzzDecodeNoticeQuery: any query string decodes or is a 4xx.
func FuzzDecodeNoticeQuery(f *testing.F) {
	for _, s := range []string{"unread=true&limit=5&offset=10", "limit=x", "unread=maybe", "offset=-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		r := httptest.NewRequest("GET", "/api/v1/notifications", nil)
		r.URL.RawQuery = url.PathEscape(q)
		if v, err := url.ParseQuery(q); err == nil {
			r.URL.RawQuery = v.Encode()
		}
		_, err := decodeNoticeQuery(context.Background(), r)
		var e *kit.Error
		if err != nil && (!errors.As(err, &e) || e.Status < 400 || e.Status > 499) {
			t.Fatalf("decode error %v is not a 4xx *kit.Error", err)
		}
	})
}
