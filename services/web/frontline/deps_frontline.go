package frontline

import (
	"context"

	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/referral/notices"
)

// Notices is what the pages need of the notices' inbox: a guardian finds
// the children's cases in the notices of their appointment;
// notices.Service satisfies it.
type Notices interface {
	Notices(ctx context.Context, q notices.Query) (notices.Page, error)
}

// Rights is what the person's rights pages need of intake; intake.Service
// satisfies it.
type Rights interface {
	AccessReport(ctx context.Context, caseID, lang string) (intake.AccessReport, error)
}

var (
	_ Notices = notices.Service(nil)
	_ Rights  = intake.Service(nil)
)

// Guardians is what appointing a child's guardian needs of intake;
// intake.Service satisfies it.
type Guardians interface {
	AppointGuardian(ctx context.Context, caseID string, g intake.GuardianInput) (intake.Workflow, error)
}

var _ Guardians = intake.Service(nil)
