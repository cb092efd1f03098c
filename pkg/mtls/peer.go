package mtls

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/sony/gobreaker/v2"

	"github.com/nrm-project/nrm/pkg/kit"
)

// ErrPeerUnavailable is returned, without a request sent, when every
// instance of a peer has its circuit open.
var ErrPeerUnavailable = errors.New("mtls: peer unavailable (circuit open)")

// PeerOptions tune a Peer; zero values take the defaults.
type PeerOptions struct {
	Timeout     time.Duration // one attempt, answer read included (10s)
	Retries     int           // further attempts of a safe call (2)
	Trip        uint32        // consecutive failures that open an instance's circuit (5)
	OpenFor     time.Duration // how long a circuit stays open before one trial call (2s)
	RetryPause  time.Duration // pause before a retry (50ms)
	Transport   *http.Transport
	StateChange func(peer, instance string, from, to gobreaker.State)
}

// Peer calls the instances of one peer service (several replicas, taken
// in turn) over mutual TLS. It implements go-kit's HTTPClient: a client
// built with a base of https://<peer>.nrm.internal has each request sent
// to an instance. Each instance has a circuit breaker counting transport
// errors and 5xx answers; a call is retried on another instance only when
// nothing was sent (the connection was refused) or when it is safe (GET,
// HEAD).
type Peer struct {
	Name      string
	instances []*instance
	hc        *http.Client
	opts      PeerOptions
	next      atomic.Uint32
}

type instance struct {
	base    *url.URL
	breaker *gobreaker.CircuitBreaker[*http.Response]
}

// NewPeer returns the client of peer at the instance addresses
// (https://host:port), authenticating with id.
func NewPeer(id *Identity, peer string, addrs []string, o PeerOptions) (*Peer, error) {
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.Retries <= 0 {
		o.Retries = 2
	}
	if o.Trip == 0 {
		o.Trip = 5
	}
	if o.OpenFor <= 0 {
		// Short: a peer answers 5xx while its database is down, and a
		// circuit still open after the database is back fails writes
		// that would succeed.
		o.OpenFor = 2 * time.Second
	}
	if o.RetryPause <= 0 {
		o.RetryPause = 50 * time.Millisecond
	}
	tr := o.Transport
	if tr == nil {
		tr = &http.Transport{
			DialContext:         (&net.Dialer{Timeout: 3 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        256,
			MaxIdleConnsPerHost: 64,
			IdleConnTimeout:     90 * time.Second,
			TLSHandshakeTimeout: 5 * time.Second,
			ForceAttemptHTTP2:   true,
		}
	}
	tr.TLSClientConfig = id.ClientConfig(peer)
	p := &Peer{Name: peer, hc: &http.Client{Transport: tr, Timeout: o.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}, opts: o}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("mtls: peer %s: no address", peer)
	}
	for _, a := range addrs {
		u, err := url.Parse(a)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			return nil, fmt.Errorf("mtls: peer %s: address %q is not https://host:port", peer, a)
		}
		in := &instance{base: u}
		in.breaker = gobreaker.NewCircuitBreaker[*http.Response](gobreaker.Settings{
			Name:        peer + "@" + u.Host,
			MaxRequests: 1,
			Timeout:     o.OpenFor,
			ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= o.Trip },
			IsExcluded:  func(err error) bool { return errors.Is(err, context.Canceled) },
			OnStateChange: func(_ string, from, to gobreaker.State) {
				if o.StateChange != nil {
					o.StateChange(peer, u.Host, from, to)
				}
			},
		})
		p.instances = append(p.instances, in)
	}
	return p, nil
}

// Base is the address clients of the peer are built with.
func (p *Peer) Base() string { return "https://" + DNSName(p.Name) }

// errStatus marks an answer counted as a failure (the callee, or what is
// in front of it, is in trouble).
type errStatus struct{ code int }

func (e errStatus) Error() string { return fmt.Sprintf("status %d", e.code) }

// Do sends r to an instance, retrying as the type's comment says.
func (p *Peer) Do(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil && r.Body != http.NoBody {
		b, err := io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
	}
	safe := r.Method == http.MethodGet || r.Method == http.MethodHead
	start := int(p.next.Add(1))
	var lastErr error = ErrPeerUnavailable
	for attempt := 0; attempt <= p.opts.Retries; attempt++ {
		if attempt > 0 {
			select {
			case <-r.Context().Done():
				return nil, r.Context().Err()
			case <-time.After(p.opts.RetryPause):
			}
		}
		in := p.instances[(start+attempt)%len(p.instances)]
		req := r.Clone(r.Context())
		req.URL.Scheme, req.URL.Host, req.Host = in.base.Scheme, in.base.Host, ""
		if body != nil {
			req.Body = io.NopCloser(bytes.NewReader(body))
			req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		}
		sent := true
		resp, err := in.breaker.Execute(func() (*http.Response, error) {
			resp, err := p.hc.Do(req)
			if err != nil {
				sent = !isDialError(err)
				return nil, err
			}
			if resp.StatusCode >= 500 {
				// Kept for the caller: the breaker counts it, the answer
				// (an error body) still reaches the caller.
				return resp, errStatus{resp.StatusCode}
			}
			return resp, nil
		})
		var es errStatus
		switch {
		case err == nil:
			return resp, nil
		case errors.As(err, &es):
			retry := safe && (es.code == http.StatusBadGateway || es.code == http.StatusServiceUnavailable || es.code == http.StatusGatewayTimeout)
			if !retry || attempt == p.opts.Retries {
				return resp, nil
			}
			resp.Body.Close()
			lastErr = err
		case errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests):
			// Another instance may be fine; nothing was sent.
			lastErr = ErrPeerUnavailable
		default:
			lastErr = fmt.Errorf("mtls: %s: %w", p.Name, err)
			if sent && !safe {
				return nil, fmt.Errorf("%w: %w", kit.ErrUnavailable, lastErr)
			}
		}
	}
	// The caller answers 503 (with Retry-After), as for an unreachable
	// database.
	return nil, fmt.Errorf("%w: %w", kit.ErrUnavailable, lastErr)
}

func isDialError(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial" || strings.Contains(err.Error(), "connection refused")
}

// Open reports whether every instance's circuit is open: no call would
// be sent.
func (p *Peer) Open() bool {
	for _, in := range p.instances {
		if in.breaker.State() != gobreaker.StateOpen {
			return false
		}
	}
	return true
}

// Ready asks the instances for path (their own readiness, peers left
// out) and answers nil when one of them is ready.
func (p *Peer) Ready(ctx context.Context, path string) error {
	if p.Open() {
		return fmt.Errorf("%s: %w", p.Name, ErrPeerUnavailable)
	}
	var last error
	for _, in := range p.instances {
		u := *in.base
		u.Path = path
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		if err != nil {
			return err
		}
		resp, err := p.hc.Do(req)
		if err != nil {
			last = err
			continue
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			return nil
		}
		last = fmt.Errorf("%s at %s: readiness %d", p.Name, in.base.Host, resp.StatusCode)
	}
	return fmt.Errorf("%s not ready: %w", p.Name, last)
}
