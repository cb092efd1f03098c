package referral

import (
	"strings"
	"testing"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/notice"
)

// TestAccountRecoveryInTheInbox: identity's notices of an account's
// recovery reach the user and their organisation's administrators, and
// no one else, through the same inbox.
func TestAccountRecoveryInTheInbox(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		ev := newEnv(t, e)
		org, other := event.NewID(), event.NewID()
		user, admin, colleague, foreign := event.NewID(), event.NewID(), event.NewID(), event.NewID()
		srv := ev.noticeServer(t, tokens{
			"user":      {UserID: user, OrgID: org, Roles: []string{auth.RoleNGOCaseworker}},
			"admin":     {UserID: admin, OrgID: org, Roles: []string{auth.RoleOrgAdmin}},
			"colleague": {UserID: colleague, OrgID: org, Roles: []string{auth.RoleNGOCaseworker}},
			"foreign":   {UserID: foreign, OrgID: other, Roles: []string{auth.RoleOrgAdmin}},
		})
		told := func(u, role string) notice.Notice {
			return notice.Notice{ID: event.NewID(), Org: org, User: u, Role: role, Kind: notice.KindAccountRecovery,
				Detail: notice.RecoverySecondFactorSuspended, ObjectType: notice.ObjectUser, ObjectID: user, CreatedAt: ev.clock.Now()}
		}
		toUser, toAdmins := told(user, ""), told("", auth.RoleOrgAdmin)
		ev.deliver(t, toUser, toAdmins)
		for tok, want := range map[string]string{"user": toUser.ID, "admin": toAdmins.ID, "colleague": "", "foreign": ""} {
			var p inboxPage
			if code := noticeCall(t, srv, tok, "GET", "/api/v1/notifications", nil, &p); code != 200 {
				t.Fatalf("%s: status %d", tok, code)
			}
			if got := strings.Join(ids(p), ","); got != want {
				t.Fatalf("%s's inbox %q, want %q", tok, got, want)
			}
			if want != "" && (p.Notifications[0].Kind != notice.KindAccountRecovery || p.Notifications[0].ObjectType != notice.ObjectUser ||
				p.Notifications[0].Detail != notice.RecoverySecondFactorSuspended) {
				t.Fatalf("%s reads %+v", tok, p.Notifications[0])
			}
		}
	})
}
