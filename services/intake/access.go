package intake

import (
	"context"
	"errors"
	"net/http"
	"slices"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake/casefile"
	"github.com/nrm-project/nrm/services/intake/store"
	"github.com/nrm-project/nrm/services/intake/workflow"
)

// Entry classes: every entry kind belongs to one, and a grant opens an
// entry only when it covers the entry's class (docs/access-model.md holds
// the table). The owner and the entry's author read every entry whatever
// its class.
const (
	classSupport    = "support"     // notes, services delivered, support plans
	classInterview  = "interview"   // interviews (the police's among them)
	classAttachment = "attachment"  // documents and files
	classChild      = "child"       // age and best-interests assessments
	classDecision   = "decision"    // decision reasons and letters
	classBreakGlass = "break_glass" // the stated reason of an emergency access
)

// entryClasses maps each entry kind to its class. A correction takes the
// class of the entry it corrects (entryClassOf).
var entryClasses = map[string]string{
	EntryNote: classSupport, EntryServiceDelivered: classSupport, EntrySupportPlan: classSupport,
	EntryInterview: classInterview, EntryAttachment: classAttachment,
	EntryAgeAssessment: classChild, EntryBestInterests: classChild,
	entryDecision: classDecision, entryLetter: classDecision, EntryProceedEarly: classDecision,
	entryBreakGlass: classBreakGlass,
}

// classSections is the grant section that covers each class. Break-glass
// reasons are covered by none: the owner and the opener's organisation
// (their author) read them, and no grant opens them.
var classSections = map[string]string{
	classSupport:    SectionNarrative,
	classInterview:  SectionLegal,
	classAttachment: SectionLegal,
	classChild:      SectionNarrative,
	classDecision:   SectionLegal,
}

// classUnknown is the class of a correction whose original cannot be
// found: no grant but a break-glass access covers it, so only the owner
// and the author (and an opener) read it.
const classUnknown = "unknown"

// entryClassOf returns the class of an entry of typ; a correction is
// classed as the original entry at the end of its chain of corrections
// (link answers an entry's type and the entry it supersedes, "" for an
// unknown one), and one whose original is unknown, or whose chain loops,
// as classUnknown.
func entryClassOf(typ, supersedes string, link func(id string) (typ, supersedes string)) string {
	seen := map[string]bool{}
	for typ == EntryCorrection {
		if supersedes == "" || seen[supersedes] {
			return classUnknown
		}
		seen[supersedes] = true
		if typ, supersedes = link(supersedes); typ == "" {
			return classUnknown
		}
	}
	if c, ok := entryClasses[typ]; ok {
		return c
	}
	return classSupport
}

// grantCovers reports whether an active grant opens entries of class: a
// break-glass access opens every class but other accesses' reasons; a
// guardian also reads the child's assessments; otherwise the class's
// section must be named in the grant.
func grantCovers(g store.GrantRow, class string) bool {
	if g.Status != GrantActive || g.Purpose == purposeAuthored {
		return false
	}
	switch {
	case g.Purpose == purposeBreakGlass:
		return class != classBreakGlass
	case g.Purpose == purposeGuardian && class == classChild:
		return true
	}
	sec, ok := classSections[class]
	return ok && slices.Contains(g.Sections, sec)
}

// orgCoversClass reports whether org holds an active grant covering class.
func orgCoversClass(grants []store.GrantRow, org, class string) bool {
	for _, g := range grants {
		if g.OrgID == org && grantCovers(g, class) {
			return true
		}
	}
	return false
}

// purposeGuardian is the purpose of a guardian's grant.
const purposeGuardian = "guardian"

// grantsFor returns the grants through which p may act: an organisation's
// grants, except the break-glass grants opened by another of its users.
// Break-glass access goes to the opening user alone; the organisation's
// key only carries it (the opener is the grant's GrantedBy).
func grantsFor(p auth.Principal, grants []store.GrantRow) []store.GrantRow {
	out := make([]store.GrantRow, 0, len(grants))
	for _, g := range grants {
		if g.Purpose == purposeBreakGlass && g.GrantedBy != p.UserID {
			continue
		}
		out = append(out, g)
	}
	return out
}

// CodeBreakGlassActive and ErrBreakGlassActive refuse to a user whose
// emergency access to the case is open what it never allows.
const CodeBreakGlassActive = casefile.CodeBreakGlassActive

var ErrBreakGlassActive = casefile.ErrBreakGlassActive

// CodeBreakGlassReadOnly answers a write through an emergency access.
const CodeBreakGlassReadOnly = "break_glass_read_only"

// ErrBreakGlassReadOnly refuses entries written by a user whose emergency
// access to the case is open: the access is for reading.
var ErrBreakGlassReadOnly = kit.NewError(http.StatusForbidden, CodeBreakGlassReadOnly,
	"an emergency access is read-only: nothing can be written to the case while yours is open")

// The refusal of a best-interests assessment from an organisation that may
// not record one (workflow.ErrBestInterestsRecorder), audited by finish.
const CodeBestInterestsRecorder = workflow.CodeBestInterestsRecorder

var ErrBestInterestsRecorder = workflow.ErrBestInterestsRecorder

// mayRecordBestInterests reports whether p's organisation may record a
// best-interests assessment of the case: the owner, the appointed
// guardian's organisation, or a child-protection organisation (protects)
// holding an active grant other than an emergency access.
func mayRecordBestInterests(p auth.Principal, c store.CaseRow, w store.WorkflowRow, grants []store.GrantRow, protects bool) bool {
	if c.OwnerOrg == p.OrgID || (w.GuardianOrg != "" && w.GuardianOrg == p.OrgID) {
		return true
	}
	return protects && slices.ContainsFunc(grants, func(g store.GrantRow) bool {
		return g.OrgID == p.OrgID && g.Status == GrantActive && g.Purpose != purposeBreakGlass && g.Purpose != purposeAuthored
	})
}

// refuseBreakGlassWrite fails with ErrBreakGlassReadOnly when p holds an
// open emergency access to the case: entries and moves of the case's
// tracks are refused while it lasts, so nothing read through it is copied
// under the organisation's name for its colleagues or past its expiry.
func (s *service) refuseBreakGlassWrite(ctx context.Context, q store.Querier, p auth.Principal, caseID string) error {
	if err := s.refuseDuringBreakGlass(ctx, q, p, caseID); errors.Is(err, ErrBreakGlassActive) {
		return ErrBreakGlassReadOnly
	} else if err != nil {
		return err
	}
	return nil
}

// refuseDuringBreakGlass fails with ErrBreakGlassActive when p holds an
// open emergency access to the case.
func (s *service) refuseDuringBreakGlass(ctx context.Context, q store.Querier, p auth.Principal, caseID string) error {
	open, err := s.store.HasOpenBreakGlass(ctx, q, caseID, p.UserID)
	if err != nil {
		return err
	}
	if open {
		return ErrBreakGlassActive
	}
	return nil
}
