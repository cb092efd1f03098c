package mtls

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Domain is the DNS suffix of service names in certificates: the intake
// service presents intake.nrm.internal.
const Domain = "nrm.internal"

// Files of a certificate directory.
const (
	CACertFile = "ca.crt"
	CAKeyFile  = "ca.key"
)

// DNSName returns the certificate name of service.
func DNSName(service string) string { return service + "." + Domain }

// BundleName names the certificate of a process running services: the
// names sorted and joined with "+" (audit+stats).
func BundleName(services []string) string {
	s := slices.Clone(services)
	slices.Sort(s)
	return strings.Join(s, "+")
}

// Issue creates the deployment CA in dir when it has none, then one
// certificate and key per entry of bundles (each a list of the service
// names one process runs), named BundleName(bundle).crt and .key; hosts
// (DNS names or IP addresses) are added to every certificate. Keys are
// ECDSA P-256, files mode 0600, the directory 0700. An existing
// certificate is replaced.
func Issue(dir string, bundles [][]string, hosts []string, validity time.Duration, now time.Time) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("mtls: %w", err)
	}
	for _, h := range hosts {
		// A service's name in a certificate is its identity to the callee:
		// only the bundle's own names may end in the deployment's domain.
		if strings.HasSuffix(strings.ToLower(h), "."+Domain) || strings.EqualFold(h, Domain) {
			return fmt.Errorf("mtls: --host %q: names under %s are the services' own", h, Domain)
		}
	}
	ca, caKey, err := loadOrCreateCA(dir, now)
	if err != nil {
		return err
	}
	for _, b := range bundles {
		if len(b) == 0 {
			return errors.New("mtls: a certificate needs a service name")
		}
		for _, s := range b {
			if !validName(s) {
				return fmt.Errorf("mtls: bad service name %q", s)
			}
		}
		if err := issueOne(dir, b, hosts, ca, caKey, validity, now); err != nil {
			return err
		}
	}
	return nil
}

func validName(s string) bool {
	if s == "" || len(s) > 30 {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
			return false
		}
	}
	return true
}

func loadOrCreateCA(dir string, now time.Time) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	certPEM, err := os.ReadFile(filepath.Join(dir, CACertFile))
	if err == nil {
		keyPEM, err := os.ReadFile(filepath.Join(dir, CAKeyFile))
		if err != nil {
			return nil, nil, fmt.Errorf("mtls: the CA certificate is there but not its key: %w", err)
		}
		pair, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			return nil, nil, fmt.Errorf("mtls: CA: %w", err)
		}
		key, ok := pair.PrivateKey.(*ecdsa.PrivateKey)
		if !ok {
			return nil, nil, errors.New("mtls: CA key is not ECDSA")
		}
		cert, err := x509.ParseCertificate(pair.Certificate[0])
		return cert, key, err
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, nil, fmt.Errorf("mtls: %w", err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "nrm deployment CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("mtls: CA: %w", err)
	}
	if err := writePEM(dir, CAKeyFile, key, nil); err != nil {
		return nil, nil, err
	}
	if err := writePEM(dir, CACertFile, nil, der); err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return cert, key, err
}

func issueOne(dir string, services, hosts []string, ca *x509.Certificate, caKey *ecdsa.PrivateKey, validity time.Duration, now time.Time) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	name := BundleName(services)
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: DNSName(strings.Split(name, "+")[0])},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(validity),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		// One certificate serves the process's internal listener and
		// authenticates it when it calls its peers.
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	for _, s := range strings.Split(name, "+") {
		tmpl.DNSNames = append(tmpl.DNSNames, DNSName(s))
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return fmt.Errorf("mtls: certificate of %s: %w", name, err)
	}
	if err := writePEM(dir, name+".key", key, nil); err != nil {
		return err
	}
	return writePEM(dir, name+".crt", nil, der)
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		panic("mtls: random serial: " + err.Error())
	}
	return n
}

// writePEM writes a key (when key is set) or a certificate, mode 0600,
// replacing the file through a rename.
func writePEM(dir, name string, key *ecdsa.PrivateKey, der []byte) error {
	var block *pem.Block
	if key != nil {
		b, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return err
		}
		block = &pem.Block{Type: "PRIVATE KEY", Bytes: b}
	} else {
		block = &pem.Block{Type: "CERTIFICATE", Bytes: der}
	}
	tmp, err := os.CreateTemp(dir, "."+name+".*")
	if err != nil {
		return fmt.Errorf("mtls: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("mtls: %w", err)
	}
	if err := pem.Encode(tmp, block); err != nil {
		tmp.Close()
		return fmt.Errorf("mtls: write %s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("mtls: write %s: %w", name, err)
	}
	return os.Rename(tmp.Name(), filepath.Join(dir, name))
}
