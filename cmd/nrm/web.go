package main

import (
	"bytes"
	"io"
	"net"
	"net/http"

	"github.com/go-kit/log"

	"github.com/nrm-project/nrm/pkg/keys"
	"github.com/nrm-project/nrm/pkg/kit"
)

// loopback is an http.RoundTripper that hands requests to the API
// handler in the same process: the pages use the services' HTTP clients,
// so their calls pass the same decoders, authentication, rate limits,
// authorisation and audit as any API call, without a socket.
type loopback struct{ api http.Handler }

func (l loopback) RoundTrip(r *http.Request) (*http.Response, error) {
	// The client address of the page request, for throttling and audit.
	addr := kit.ClientAddr(r.Context())
	if addr == "" {
		addr = "127.0.0.1"
	}
	r.RemoteAddr = net.JoinHostPort(addr, "0")
	if r.Body == nil {
		r.Body = http.NoBody
	}
	rec := &recorder{header: http.Header{}, status: http.StatusOK}
	l.api.ServeHTTP(rec, r)
	return &http.Response{
		StatusCode: rec.status, Status: http.StatusText(rec.status), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: rec.header, Body: io.NopCloser(&rec.body), ContentLength: int64(rec.body.Len()), Request: r,
	}, nil
}

type recorder struct {
	header http.Header
	body   bytes.Buffer
	status int
	wrote  bool
}

func (w *recorder) Header() http.Header { return w.header }
func (w *recorder) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
}
func (w *recorder) Write(b []byte) (int, error) {
	w.wrote = true
	return w.body.Write(b)
}

// webHandler builds the pages over the services' clients on a loopback
// transport to api.
func webHandler(f serveFlags, kd *keys.Dir, api http.Handler, logger log.Logger) (http.Handler, error) {
	hc := &http.Client{Transport: loopback{api: kit.RequestContext(kit.JSONErrors(api))}}
	const base = "http://nrm.internal"
	bases, clients := map[string]string{}, map[string]*http.Client{}
	for _, n := range allServices {
		bases[n], clients[n] = base, hc
	}
	return webPages(f, kd, bases, clients, logger)
}
