package main

import (
	"bytes"

	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-kit/log"

	"github.com/nrm-project/nrm/pkg/keys"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/audit"
	"github.com/nrm-project/nrm/services/identity"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/referral"
	"github.com/nrm-project/nrm/services/referral/notices"
	"github.com/nrm-project/nrm/services/stats"
	"github.com/nrm-project/nrm/services/web"
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
	id, err := identity.NewClient(base, "", hc)
	if err != nil {
		return nil, err
	}
	cases, err := intake.NewClient(base, hc)
	if err != nil {
		return nil, err
	}
	refs, err := referral.NewClient(base, hc)
	if err != nil {
		return nil, err
	}
	sts, err := stats.NewClient(base, hc)
	if err != nil {
		return nil, err
	}
	// The auditors' pages check checkpoints with the verifier key kept
	// beside the signing key, and compare them with the witness directories.
	au, err := audit.NewClient(base, hc)
	if err != nil {
		return nil, err
	}
	vkey, _ := os.ReadFile(filepath.Join(kd.Path(), audit.PubFile))
	roles, err := identity.LoadRolePolicy(f.policies)
	if err != nil {
		return nil, err
	}
	notices, err := notices.NewClient(base, hc)
	if err != nil {
		return nil, err
	}
	return web.New(web.Config{
		Identity: id, Cases: cases, Referrals: refs, Stats: sts, Notices: notices, Rights: cases, Guardians: cases,
		Audit: au, EmergencyAccess: cases, Accounts: id, Directory: refs, KeyRings: cases, Roles: roles,
		AuditVerifierKey: strings.TrimSpace(string(vkey)), Witnesses: f.witnesses,
		SessionKey:  kd.Subkey(keys.PurposeWebSession),
		IdleTimeout: f.webIdle, AbsoluteTimeout: f.webAbsolute,
		Logger: log.With(logger, "service", "web"),
	})
}
