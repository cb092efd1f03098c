package kit

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-kit/log"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

type greeter interface {
	Greet(ctx context.Context, name string) (string, error)
}

type greeterFunc func(ctx context.Context, name string) (string, error)

func (f greeterFunc) Greet(ctx context.Context, name string) (string, error) { return f(ctx, name) }

type observedGreeter struct {
	next    greeter
	observe Observer
}

func (m observedGreeter) Greet(ctx context.Context, name string) (s string, err error) {
	defer func(begin time.Time) { m.observe(ctx, "Greet", begin, err) }(time.Now())
	return m.next.Greet(ctx, name)
}

var decorateGreeter Decorator[greeter] = func(next greeter, observe Observer) greeter {
	return observedGreeter{next: next, observe: observe}
}

// The decorator logs and counts by method and outcome code only: never an
// argument, never the text of an error a client may see.
func TestDecoratorLogsAndCountsCodesOnly(t *testing.T) {
	inner := greeterFunc(func(_ context.Context, name string) (string, error) {
		switch name {
		case "Amina Diallo":
			return "", Validation("name: refused for Amina Diallo")
		case "broken":
			return "", errors.New("store: row 42 unreadable")
		}
		return "hello", nil
	})
	var logged bytes.Buffer
	reg := prometheus.NewRegistry()
	metrics, err := decorateGreeter.Instrumenting(reg, "test", "Test service")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := decorateGreeter.Instrumenting(reg, "test", "Test service"); err != nil {
		t.Fatalf("a second instance on one registry: %v", err)
	}
	g := decorateGreeter.Logging(log.NewLogfmtLogger(&logged))(metrics(inner))
	ctx := WithRequestID(context.Background(), "0123456789abcdef0123456789abcdef")
	for _, name := range []string{"x", "Amina Diallo", "broken"} {
		_, _ = g.Greet(ctx, name)
	}
	out := logged.String()
	for _, want := range []string{"method=Greet outcome=ok", "outcome=validation_failed", "outcome=internal", "request_id=0123456789abcdef0123456789abcdef", "row 42 unreadable"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Amina") {
		t.Errorf("log carries an argument or a client error's text:\n%s", out)
	}
	for outcome, want := range map[string]float64{"ok": 1, "validation_failed": 1, "internal": 1} {
		if got := testutil.ToFloat64(mustCounter(t, reg, "Greet", outcome)); got != want {
			t.Errorf("calls{Greet,%s} = %v, want %v", outcome, got, want)
		}
	}
}

func mustCounter(t *testing.T, reg prometheus.Registerer, method, outcome string) prometheus.Counter {
	t.Helper()
	c, err := Register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "nrm", Subsystem: "test", Name: "calls_total",
		Help: "Test service calls by method and outcome code.",
	}, []string{"method", "outcome"}))
	if err != nil {
		t.Fatal(err)
	}
	return c.WithLabelValues(method, outcome)
}

func TestQuietMethodsLoggedOnlyWhenFailing(t *testing.T) {
	var logged bytes.Buffer
	obs := LogCalls(log.NewLogfmtLogger(&logged), "Poll")
	obs(context.Background(), "Poll", time.Now(), nil)
	if logged.Len() != 0 {
		t.Fatalf("a quiet success was logged: %s", logged.String())
	}
	obs(context.Background(), "Poll", time.Now(), ErrUnavailable)
	if !strings.Contains(logged.String(), "outcome=unavailable") {
		t.Fatalf("a quiet failure was not logged: %q", logged.String())
	}
}
