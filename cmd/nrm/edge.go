package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"net"

	"github.com/nrm-project/nrm/pkg/kit"
)

// edgeFlags say how users reach the server: HTTPS from a certificate, and
// which proxies in front are believed about the client's address.
type edgeFlags struct {
	tlsCert, tlsKey string
	trusted         listFlag
	proxies         kit.TrustedProxies
}

func (f *edgeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.tlsCert, "tls-cert", "", "serve users HTTPS with this certificate (PEM, the chain after the leaf); with --tls-key. Without: plain HTTP, for TLS ended at an ingress (docs/deploy.md)")
	fs.StringVar(&f.tlsKey, "tls-key", "", "private key of --tls-cert (PEM)")
	fs.Var(&f.trusted, "trusted-proxies", "networks (CIDR) or addresses of the proxies in front whose X-Forwarded-For names the client, for rate limits and audit (comma-separated; default: none, the peer's address counts)")
}

// check validates the flags and reads the trusted networks.
func (f *edgeFlags) check() error {
	if (f.tlsCert == "") != (f.tlsKey == "") {
		return usageError{"--tls-cert and --tls-key go together"}
	}
	p, err := kit.ParseTrustedProxies(f.trusted)
	if err != nil {
		return usageError{"--trusted-proxies: " + err.Error()}
	}
	f.proxies = p
	return nil
}

// scheme is how users reach the public listener.
func (f *edgeFlags) scheme() string {
	if f.tlsCert != "" {
		return "https"
	}
	return "http"
}

// listen opens the public listener, with TLS when a certificate is given
// (loaded now, so that a bad file stops the start rather than the first
// handshake).
func (f *edgeFlags) listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil || f.tlsCert == "" {
		return ln, err
	}
	cert, err := tls.LoadX509KeyPair(f.tlsCert, f.tlsKey)
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("--tls-cert/--tls-key: %w", err)
	}
	return tls.NewListener(ln, &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{cert},
		NextProtos:   []string{"h2", "http/1.1"},
	}), nil
}
