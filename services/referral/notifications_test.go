package referral

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/nrm-project/nrm/services/referral/notices"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-kit/log"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/authz"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/keys"
	"github.com/nrm-project/nrm/pkg/kit/contract"
	"github.com/nrm-project/nrm/pkg/notice"
	"github.com/nrm-project/nrm/pkg/outbox"
	"github.com/nrm-project/nrm/services/referral/webhooks"
)

func (ev *env) inbox(t testing.TB) *notices.Inbox {
	t.Helper()
	n, err := NewNotices(ev.config())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (ev *env) noticeServer(t testing.TB, tok tokens) *httptest.Server {
	t.Helper()
	enf, err := authz.Load("")
	if err != nil {
		t.Fatal(err)
	}
	eps := notices.MakeEndpoints(ev.inbox(t), auth.Middleware(tok), enf, NewDenialRecorder(ev.db, ev.keys))
	srv := httptest.NewServer(contract.Handler(t, notices.MakeHTTPHandler(eps, log.NewNopLogger())))
	t.Cleanup(srv.Close)
	return srv
}

// deliver hands notices to the receiver as the outbox relay would.
func (ev *env) deliver(t testing.TB, ns ...notice.Notice) {
	t.Helper()
	msgs := make([]outbox.Message, len(ns))
	for i, n := range ns {
		b, _ := json.Marshal(n)
		msgs[i] = outbox.Message{ID: event.NewID(), Source: "intake", Seq: int64(i + 1), Topic: notice.Topic, Payload: b}
	}
	if err := ev.inbox(t).Receive(context.Background(), msgs); err != nil {
		t.Fatalf("receive: %v", err)
	}
}

func (ev *env) note(kind, org, role, user string) notice.Notice {
	return notice.Notice{ID: event.NewID(), Org: org, Role: role, User: user, Kind: kind,
		ObjectType: notice.ObjectCase, ObjectID: event.NewID(), CreatedAt: ev.clock.Now()}
}

func noticeCall(t testing.TB, srv *httptest.Server, token, method, path string, body, out any) int {
	t.Helper()
	var rd bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = *bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, srv.URL+path, &rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil && resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode
}

func (ev *env) count(t testing.TB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := ev.db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// The same outbox message delivered twice gives one notice and one
// webhook; a notice that breaks the contract is dropped, not stored.
func TestNoticeReceivedOnce(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		ev := newEnv(t, e)
		rc := &receiver{}
		prov := ev.hookedProvider(t, rc)
		n := ev.note(notice.KindPersonMissing, prov, "", "")
		ev.deliver(t, n)
		ev.deliver(t, n, n)
		if got := ev.count(t, `SELECT COUNT(*) FROM notices WHERE id = $1`, n.ID); got != 1 {
			t.Fatalf("%d notices stored, want 1", got)
		}
		if got := ev.count(t, `SELECT COUNT(*) FROM webhook_deliveries WHERE body LIKE $1`, "%"+n.ID+"%"); got != 1 {
			t.Fatalf("%d webhooks queued, want 1", got)
		}
		if _, err := ev.sweeper(t).SweepOnce(t.Context(), ev.clock.Now()); err != nil {
			t.Fatal(err)
		}
		if rc.count() != 1 {
			t.Fatalf("%d webhook requests, want 1", rc.count())
		}
		h := rc.last()
		if h.signature != webhooks.Sign(webhooks.Secret(ev.keys.Subkey(keys.PurposeWebhook), prov, 1), h.timestamp, h.body) {
			t.Fatalf("webhook not signed with the provider's secret: %q", h.signature)
		}
		var body map[string]any
		if err := json.Unmarshal(h.body, &body); err != nil || body["notice_id"] != n.ID || body["event"] != notice.KindPersonMissing {
			t.Fatalf("webhook body %s", h.body)
		}
		bad := ev.note(notice.KindCaseChanged, prov, "", "")
		bad.Detail = "Amina left the shelter"
		ev.deliver(t, bad)
		if got := ev.count(t, `SELECT COUNT(*) FROM notices WHERE id = $1`, bad.ID); got != 0 {
			t.Fatal("a notice with free text was stored")
		}
	})
}

type inboxPage struct {
	Notifications []notices.Item `json:"notifications"`
	Unread        int            `json:"unread"`
	NextOffset    *int           `json:"next_offset"`
}

func ids(p inboxPage) []string {
	var out []string
	for _, n := range p.Notifications {
		out = append(out, n.ID)
	}
	return out
}

// Each user reads what is addressed to them, their role in their
// organisation, their organisation, or the national desk when they are on
// it: unread first, read per user; another's notice is 404 and audited.
func TestInboxOverHTTP(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		ev := newEnv(t, e)
		orgA, orgB, desk := event.NewID(), event.NewID(), event.NewID()
		me, colleague, officer, outsider, coordinator := event.NewID(), event.NewID(), event.NewID(), event.NewID(), event.NewID()
		tok := tokens{
			"me":          {UserID: me, OrgID: orgA, Roles: []string{auth.RoleNGOCaseworker}},
			"colleague":   {UserID: colleague, OrgID: orgA, Roles: []string{auth.RoleNGOCaseworker}},
			"officer":     {UserID: officer, OrgID: orgA, Roles: []string{auth.RoleGuardian}},
			"outsider":    {UserID: outsider, OrgID: orgB, Roles: []string{auth.RoleNGOCaseworker}},
			"coordinator": {UserID: coordinator, OrgID: desk, Roles: []string{auth.RoleCoordinator}},
		}
		srv := ev.noticeServer(t, tok)
		mine := ev.note(notice.KindGuardianAppointed, orgA, "", me)
		ev.clock.Advance(time.Minute)
		role := ev.note(notice.KindPersonMissing, orgA, auth.RoleNGOCaseworker, "")
		ev.clock.Advance(time.Minute)
		whole := ev.note(notice.KindReferralPrefix+"accepted", orgA, "", "")
		ev.clock.Advance(time.Minute)
		board := ev.note(notice.KindBoardNoProvider, "", notice.RoleNationalDesk, "")
		theirs := ev.note(notice.KindGuardianAppointed, orgA, "", colleague)
		other := ev.note(notice.KindPersonMissing, orgB, auth.RoleNGOCaseworker, "")
		ev.deliver(t, mine, role, whole, board, theirs, other)

		lists := []struct {
			token string
			want  []string // newest first
		}{
			{"me", []string{whole.ID, role.ID, mine.ID}},
			{"colleague", []string{theirs.ID, whole.ID, role.ID}},
			{"officer", []string{whole.ID}},
			{"outsider", []string{other.ID}},
			{"coordinator", []string{board.ID}},
		}
		for _, l := range lists {
			t.Run("list/"+l.token, func(t *testing.T) {
				var p inboxPage
				if code := noticeCall(t, srv, l.token, "GET", "/api/v1/notifications", nil, &p); code != 200 {
					t.Fatalf("status %d", code)
				}
				if strings.Join(ids(p), ",") != strings.Join(l.want, ",") || p.Unread != len(l.want) {
					t.Fatalf("inbox %v (unread %d), want %v", ids(p), p.Unread, l.want)
				}
			})
		}
		t.Run("mark read: unread first, per user", func(t *testing.T) {
			var m struct{ Marked int }
			if code := noticeCall(t, srv, "me", "POST", "/api/v1/notifications/"+whole.ID+"/read", nil, &m); code != 200 || m.Marked != 1 {
				t.Fatalf("mark: %d, %+v", code, m)
			}
			if code := noticeCall(t, srv, "me", "POST", "/api/v1/notifications/"+whole.ID+"/read", nil, &m); code != 200 || m.Marked != 0 {
				t.Fatalf("mark again: %d, %+v (want nothing newly marked)", code, m)
			}
			var p inboxPage
			noticeCall(t, srv, "me", "GET", "/api/v1/notifications", nil, &p)
			if got := strings.Join(ids(p), ","); got != strings.Join([]string{role.ID, mine.ID, whole.ID}, ",") || p.Unread != 2 {
				t.Fatalf("inbox after reading %v (unread %d): want the read one last", ids(p), p.Unread)
			}
			if p.Notifications[2].ReadAt == nil || p.Notifications[0].ReadAt != nil {
				t.Fatal("read_at wrong")
			}
			noticeCall(t, srv, "me", "GET", "/api/v1/notifications?unread=true", nil, &p)
			if len(p.Notifications) != 2 {
				t.Fatalf("unread only: %v", ids(p))
			}
			noticeCall(t, srv, "colleague", "GET", "/api/v1/notifications", nil, &p)
			if p.Unread != 3 {
				t.Fatalf("a colleague's unread count %d, want 3: reading is per user", p.Unread)
			}
		})
		t.Run("paging", func(t *testing.T) {
			var p inboxPage
			noticeCall(t, srv, "colleague", "GET", "/api/v1/notifications?limit=2", nil, &p)
			if len(p.Notifications) != 2 || p.NextOffset == nil || *p.NextOffset != 2 {
				t.Fatalf("page 1: %v next %v", ids(p), p.NextOffset)
			}
			p = inboxPage{}
			noticeCall(t, srv, "colleague", "GET", "/api/v1/notifications?limit=2&offset=2", nil, &p)
			if len(p.Notifications) != 1 || p.NextOffset != nil || p.Notifications[0].ID != role.ID {
				t.Fatalf("page 2: %v next %v", ids(p), p.NextOffset)
			}
		})
		attacks := []struct {
			name, token string
			ids         []string
		}{
			{"another organisation's notice", "outsider", []string{role.ID}},
			{"a colleague's own notice", "me", []string{theirs.ID}},
			{"the desk's notice by a caseworker", "me", []string{board.ID}},
			{"one hidden among visible ones", "me", []string{mine.ID, other.ID}},
			{"a notice that does not exist", "me", []string{event.NewID()}},
		}
		for _, a := range attacks {
			t.Run("attack/"+a.name, func(t *testing.T) {
				before := ev.count(t, `SELECT COUNT(*) FROM outbox WHERE topic = 'audit' AND payload LIKE '%"outcome":"denied"%'`)
				reads := ev.count(t, `SELECT COUNT(*) FROM notice_reads`)
				if code := noticeCall(t, srv, a.token, "POST", "/api/v1/notifications/read", map[string]any{"ids": a.ids}, nil); code != 404 {
					t.Fatalf("status %d, want 404", code)
				}
				if after := ev.count(t, `SELECT COUNT(*) FROM outbox WHERE topic = 'audit' AND payload LIKE '%"outcome":"denied"%'`); after != before+1 {
					t.Fatalf("%d denials recorded, want 1", after-before)
				}
				if got := ev.count(t, `SELECT COUNT(*) FROM notice_reads`); got != reads {
					t.Fatal("something was marked read")
				}
			})
		}
		bad := []struct {
			name, method, path string
			body               any
			want               int
		}{
			{"no token", "GET", "/api/v1/notifications", nil, 401},
			{"limit too large", "GET", "/api/v1/notifications?limit=100000", nil, 400},
			{"negative offset", "GET", "/api/v1/notifications?offset=-1", nil, 400},
			{"unread not a boolean", "GET", "/api/v1/notifications?unread=maybe", nil, 400},
			{"no ids", "POST", "/api/v1/notifications/read", map[string]any{"ids": []string{}}, 400},
			{"free text as id", "POST", "/api/v1/notifications/read", map[string]any{"ids": []string{"Amina Yusuf"}}, 400},
			{"unknown field", "POST", "/api/v1/notifications/read", map[string]any{"ids": []string{mine.ID}, "all": true}, 400},
		}
		for _, b := range bad {
			t.Run("bad/"+b.name, func(t *testing.T) {
				token := "me"
				if b.want == 401 {
					token = ""
				}
				if code := noticeCall(t, srv, token, b.method, b.path, b.body, nil); code != b.want {
					t.Fatalf("status %d, want %d", code, b.want)
				}
			})
		}
	})
}

// Referral's own events reach the inboxes: the offer to the provider, and
// a referral that found no provider to the sender and to the national
// desk's board, and to no one else.
func TestReferralEventsReachInboxes(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		ev := newEnv(t, e)
		prov := ev.provider(t, shelter("MA-06", 5))
		r := ev.refer(t, ev.adult("MA-06", 0), "normal", prov)
		none := ev.refer(t, ev.adult("MA-01", 0), "normal") // no provider in MA-01's reach
		if none.Status != StatusNoProvider {
			t.Skipf("routing found a provider (%s)", none.Status)
		}
		tok := tokens{
			"provider":    {UserID: event.NewID(), OrgID: prov, Roles: []string{auth.RoleNGOCaseworker}},
			"sender":      {UserID: event.NewID(), OrgID: ev.police, Roles: []string{auth.RoleFrontlineOfficer}},
			"coordinator": {UserID: event.NewID(), OrgID: event.NewID(), Roles: []string{auth.RoleCoordinator}},
			"stranger":    {UserID: event.NewID(), OrgID: event.NewID(), Roles: []string{auth.RoleNGOCaseworker}},
		}
		srv := ev.noticeServer(t, tok)
		want := map[string][]string{
			"provider":    {"referral.offered/" + r.ID},
			"sender":      {"referral.no_provider/" + none.ID},
			"coordinator": {"board.no_provider/" + none.ID},
			"stranger":    nil,
		}
		for who, w := range want {
			t.Run(who, func(t *testing.T) {
				var p inboxPage
				if code := noticeCall(t, srv, who, "GET", "/api/v1/notifications", nil, &p); code != 200 {
					t.Fatalf("status %d", code)
				}
				var got []string
				for _, n := range p.Notifications {
					got = append(got, n.Kind+"/"+n.ObjectID)
				}
				if strings.Join(got, ",") != strings.Join(w, ",") {
					t.Fatalf("inbox %v, want %v", got, w)
				}
			})
		}
	})
}

// Notices older than notices.Retention go, with their read marks; newer stay.
func TestNoticesExpire(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		ev := newEnv(t, e)
		org, user := event.NewID(), event.NewID()
		old := ev.note(notice.KindPersonMissing, org, "", "")
		ev.clock.Advance(24 * time.Hour)
		recent := ev.note(notice.KindPersonMissing, org, "", "")
		ev.deliver(t, old, recent)
		ctx := auth.WithPrincipal(context.Background(), auth.Principal{UserID: user, OrgID: org, Roles: []string{auth.RoleNGOCaseworker}})
		if _, err := ev.inbox(t).MarkRead(ctx, []string{old.ID, recent.ID}); err != nil {
			t.Fatal(err)
		}
		n, err := ev.inbox(t).Expire(context.Background(), old.CreatedAt.Add(notices.Retention+time.Hour))
		if err != nil || n != 1 {
			t.Fatalf("Expire = %d, %v; want 1", n, err)
		}
		if got := ev.count(t, `SELECT COUNT(*) FROM notices WHERE id = $1`, recent.ID); got != 1 {
			t.Fatal("a recent notice expired")
		}
		if got := ev.count(t, `SELECT COUNT(*) FROM notice_reads`); got != 1 {
			t.Fatalf("%d read marks left, want 1", got)
		}
	})
}
