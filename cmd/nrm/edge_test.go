package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
)

// testCertificate writes a self-signed certificate for 127.0.0.1 and its
// key, and returns their paths and a pool trusting it.
func testCertificate(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "nrm test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// nrm serve --tls-cert --tls-key serves users HTTPS (HTTP/2 offered), and
// a plain-HTTP request gets no page.
func TestServeHTTPS(t *testing.T) {
	t.Parallel()
	certFile, keyFile, pool := testCertificate(t)
	_, args := engineArgs(t, dbtest.SQLite(t))
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0", "--metrics-addr", "",
			"--tls-cert", certFile, "--tls-key", keyFile}, args...), nil, &out, &errb)
	}()
	t.Cleanup(func() { cancel(); <-done })
	re := regexp.MustCompile(`listening on (https://[0-9.:]+)`)
	var base string
	for deadline := time.Now().Add(2 * time.Minute); base == ""; {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			base = m[1]
		} else if time.Now().After(deadline) {
			t.Fatalf("no HTTPS listener: %s %s", out.String(), errb.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}}
	resp, err := c.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.TLS == nil || resp.ProtoMajor != 2 {
		t.Fatalf("GET /healthz over HTTPS: %d, TLS %v, %s", resp.StatusCode, resp.TLS != nil, resp.Proto)
	}
	resp, err = http.Get(strings.Replace(base, "https://", "http://", 1) + "/healthz")
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Fatal("plain HTTP answered on the HTTPS listener")
		}
	}
}

func TestServeEdgeFlagsChecked(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"--tls-cert", "x.crt"},
		{"--trusted-proxies", "10.0.0.0/99"},
	} {
		var out, errb syncBuffer
		if code := run(context.Background(), append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), nil, &out, &errb); code != 2 {
			t.Errorf("%v: exit %d, want 2 (usage): %s", args, code, errb.String())
		}
	}
}

// --trusted-proxies is what lets X-Forwarded-For name the client: behind
// a trusted proxy (here the loopback address the test connects from),
// clients have budgets of their own; without it, a forged header changes
// nothing and the flood from one address is limited.
func TestServeTrustedProxiesForRateLimits(t *testing.T) {
	t.Parallel()
	flood := func(base string) (limited int) {
		for i := range 12 {
			req, _ := http.NewRequest("GET", base+"/api/v1/me", nil) // 401, or 429 once limited
			req.Header.Set("X-Forwarded-For", "203.0.113."+string(rune('1'+i%9))+string(rune('0'+i/9)))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode == http.StatusTooManyRequests {
				limited++
			}
		}
		return limited
	}
	_, args := engineArgs(t, dbtest.SQLite(t))
	untrusted := startServer(t, append(args, "--rate-address", "0.5")...)
	if n := flood(untrusted.base); n == 0 {
		t.Fatal("forged X-Forwarded-For from an untrusted peer dodged the per-address limit")
	}
	untrusted.stop()
	trusted := startServer(t, append(args, "--rate-address", "0.5", "--trusted-proxies", "127.0.0.0/8,::1")...)
	if n := flood(trusted.base); n != 0 {
		t.Fatalf("%d of 12 clients behind a trusted proxy limited, want none (each has its own budget)", n)
	}
}
