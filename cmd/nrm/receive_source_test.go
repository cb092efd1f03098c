package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/grantchange"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/pkg/mtls"
	"github.com/nrm-project/nrm/pkg/outbox"
)

// A peer delivers its own outbox: a batch on an internal receive route
// (the grant revocations of intake and referral among them) whose
// messages claim a source the caller's certificate does not name is
// refused with 403, and nothing of it reaches the receiver. A batch of
// the caller's own messages is delivered.
func TestReceiveBindsTheSourceToTheCallersCertificate(t *testing.T) {
	t.Parallel()
	msg := func(source string) outbox.Message {
		b, _ := json.Marshal(grantchange.Revocation{CaseID: event.NewID(), ReferralID: event.NewID(), OrgID: event.NewID(),
			GrantID: event.NewID(), Reason: grantchange.ReasonConsentWithdrawn, At: time.Now().UTC()})
		return outbox.Message{ID: event.NewOrderedID(), Source: source, Seq: 1, Topic: grantchange.Topic,
			CreatedAt: time.Now().UTC(), Payload: b}
	}
	as := func(names ...string) *tls.ConnectionState {
		if names == nil {
			return nil
		}
		cert := &x509.Certificate{}
		for _, n := range names {
			cert.DNSNames = append(cert.DNSNames, mtls.DNSName(n))
		}
		return &tls.ConnectionState{VerifiedChains: [][]*x509.Certificate{{cert}}}
	}
	for _, tc := range []struct {
		name      string
		caller    *tls.ConnectionState
		batch     []outbox.Message
		delivered bool
	}{
		{"its own messages", as("intake"), []outbox.Message{msg("intake")}, true},
		{"a process running two services", as("stats", "intake"), []outbox.Message{msg("intake")}, true},
		{"another service's messages", as("intake"), []outbox.Message{msg("referral")}, false},
		{"one forged message among its own", as("intake"), []outbox.Message{msg("intake"), msg("identity")}, false},
		{"no certificate", as(), []outbox.Message{msg("intake")}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []outbox.Message
			serve := (&system{}).receive(func(_ context.Context, msgs []outbox.Message) error {
				got = append(got, msgs...)
				return nil
			})
			b, _ := json.Marshal(tc.batch)
			r := httptest.NewRequest("POST", "/internal/v1/referral/grant-revocations", bytes.NewReader(b))
			r.TLS = tc.caller
			_, err := serve(r.Context(), r)
			if tc.delivered {
				if err != nil || len(got) != len(tc.batch) {
					t.Fatalf("own batch: %v, %d delivered", err, len(got))
				}
				return
			}
			if ke := kit.AsError(err); err == nil || ke.Status != 403 {
				t.Fatalf("forged batch answered %v, want 403", err)
			}
			if len(got) != 0 {
				t.Fatalf("%d messages of a forged batch reached the receiver", len(got))
			}
		})
	}
}
