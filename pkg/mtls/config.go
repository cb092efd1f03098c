package mtls

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

// Identity is what one process authenticates with: its certificate and
// the deployment CA its peers' certificates must chain to.
type Identity struct {
	Services []string // the services the certificate names
	cert     tls.Certificate
	pool     *x509.CertPool
}

// Load reads, from the certificate directory dir, the CA certificate and
// the certificate and key of the process running services. The CA's key
// need not be there (and should not be, on a service's host).
func Load(dir string, services []string) (*Identity, error) {
	name := BundleName(services)
	caPEM, err := os.ReadFile(filepath.Join(dir, CACertFile))
	if err != nil {
		return nil, fmt.Errorf("mtls: CA certificate: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, errors.New("mtls: no certificate in " + CACertFile)
	}
	for _, f := range []string{name + ".key", CAKeyFile} {
		if fi, err := os.Stat(filepath.Join(dir, f)); err == nil && fi.Mode().Perm()&0o077 != 0 {
			return nil, fmt.Errorf("mtls: %s is readable by others (mode %v); chmod 600 it", f, fi.Mode().Perm())
		}
	}
	cert, err := tls.LoadX509KeyPair(filepath.Join(dir, name+".crt"), filepath.Join(dir, name+".key"))
	if err != nil {
		return nil, fmt.Errorf("mtls: certificate of %s (nrm certs --service %s): %w", name, strings.ReplaceAll(name, "+", ","), err)
	}
	return &Identity{Services: strings.Split(name, "+"), cert: cert, pool: pool}, nil
}

// ServerConfig is the TLS configuration of an internal listener: TLS 1.3,
// a client certificate required and verified against the CA.
func (id *Identity) ServerConfig() *tls.Config {
	return &tls.Config{
		MinVersion:   tls.VersionTLS13,
		Certificates: []tls.Certificate{id.cert},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    id.pool,
	}
}

// ClientConfig is the TLS configuration of calls to peer: this process's
// certificate, and the peer's checked to name peer (whatever address it
// was reached at).
func (id *Identity) ClientConfig(peer string) *tls.Config {
	return &tls.Config{
		MinVersion:   tls.VersionTLS13,
		Certificates: []tls.Certificate{id.cert},
		RootCAs:      id.pool,
		ServerName:   DNSName(peer),
	}
}

// Callers returns the services named by the verified client certificate
// of r; none when r came without one (which an internal listener's
// handshake already refuses).
func Callers(r *http.Request) []string {
	if r.TLS == nil || len(r.TLS.VerifiedChains) == 0 || len(r.TLS.VerifiedChains[0]) == 0 {
		return nil
	}
	var out []string
	for _, n := range r.TLS.VerifiedChains[0][0].DNSNames {
		if s, ok := strings.CutSuffix(n, "."+Domain); ok && validName(s) {
			out = append(out, s)
		}
	}
	return out
}
