package intake_test

import (
	"context"
	"strings"
	"testing"

	"github.com/go-kit/log"

	"github.com/nrm-project/nrm/services/intake"
)

// TestLoggingNamesTheCaseOnlyWhereTheCallIsAboutOne: the case id a log
// line carries is the case the call is about, whatever position or shape
// it arrives in, and no other id is logged as one (a duplicate pair's, a
// break-glass review's own id, even when it is a valid id).
func TestLoggingNamesTheCaseOnlyWhereTheCallIsAboutOne(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		method string
		call   func(s intake.Service) error
		caseID string
	}{
		{"Register", func(s intake.Service) error { _, err := s.Register(ctx, intake.Registration{}); return err }, caseID},
		{"Transfer", func(s intake.Service) error { _, err := s.Transfer(ctx, caseID, orgID); return err }, caseID},
		{"GrantPending", func(s intake.Service) error {
			_, err := s.GrantPending(ctx, intake.GrantRequest{CaseID: caseID, OrgID: orgID})
			return err
		}, caseID},
		{"BreakGlass", func(s intake.Service) error {
			_, err := s.BreakGlass(ctx, caseID, intake.BreakGlassInput{})
			return err
		}, caseID},
		{"ReviewBreakGlass", func(s intake.Service) error {
			_, err := s.ReviewBreakGlass(ctx, grantID, intake.ReviewInput{})
			return err
		}, ""},
		{"ConfirmDuplicate", func(s intake.Service) error { _, err := s.ConfirmDuplicate(ctx, grantID, true); return err }, ""},
		{"KeyStatus", func(s intake.Service) error { _, err := s.KeyStatus(ctx); return err }, ""},
	} {
		t.Run(tc.method, func(t *testing.T) {
			var logs strings.Builder
			s := intake.LoggingMiddleware(log.NewLogfmtLogger(&logs))(newFakeService())
			if err := tc.call(s); err != nil {
				t.Fatal(err)
			}
			want := "method=" + tc.method + " outcome=ok"
			if tc.caseID != "" {
				want = "method=" + tc.method + " case_id=" + tc.caseID + " outcome=ok"
			}
			if !strings.HasPrefix(logs.String(), want+" ") {
				t.Errorf("log line %q, want it to begin %q", logs.String(), want)
			}
		})
	}
}
