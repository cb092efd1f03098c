package intake_test

import (
	"context"

	"github.com/nrm-project/nrm/services/intake"
)

// The fake's workflow methods record their calls like the others.

func (f *fakeService) Transition(ctx context.Context, id string, t intake.TransitionRequest) (intake.Workflow, error) {
	return intake.Workflow{CaseID: id}, f.record(ctx, "Transition", id, t)
}

func (f *fakeService) SupportTransition(ctx context.Context, id string, t intake.TransitionRequest) (intake.Workflow, error) {
	return intake.Workflow{CaseID: id}, f.record(ctx, "SupportTransition", id, t)
}

func (f *fakeService) Workflow(ctx context.Context, id string) (intake.Workflow, error) {
	return intake.Workflow{CaseID: id}, f.record(ctx, "Workflow", id)
}

func (f *fakeService) DecisionQueue(ctx context.Context) ([]intake.QueueItem, error) {
	return nil, f.record(ctx, "DecisionQueue")
}

func (f *fakeService) AddEntry(ctx context.Context, id string, in intake.EntryInput) (intake.Entry, error) {
	return intake.Entry{CaseID: id}, f.record(ctx, "AddEntry", id, in)
}

func (f *fakeService) CaseView(ctx context.Context, id string, parts intake.CaseParts) (intake.CaseView, error) {
	return intake.CaseView{Case: intake.Case{ID: id}}, f.record(ctx, "CaseView", id, parts)
}

func (f *fakeService) KeyStatus(ctx context.Context) ([]intake.KeyStatus, error) {
	return nil, f.record(ctx, "KeyStatus")
}

func (f *fakeService) Entries(ctx context.Context, id string) ([]intake.Entry, error) {
	return nil, f.record(ctx, "Entries", id)
}

func (f *fakeService) ChangeRoute(ctx context.Context, id string, in intake.RouteChange) (intake.Workflow, error) {
	return intake.Workflow{CaseID: id}, f.record(ctx, "ChangeRoute", id, in)
}

func (f *fakeService) AppointGuardian(ctx context.Context, id string, g intake.GuardianInput) (intake.Workflow, error) {
	return intake.Workflow{CaseID: id}, f.record(ctx, "AppointGuardian", id, g)
}

func (f *fakeService) BreakGlass(ctx context.Context, id string, in intake.BreakGlassInput) (intake.BreakGlass, error) {
	return intake.BreakGlass{CaseID: id}, f.record(ctx, "BreakGlass", id, in)
}

func (f *fakeService) BreakGlassList(ctx context.Context) ([]intake.BreakGlass, error) {
	return nil, f.record(ctx, "BreakGlassList")
}

func (f *fakeService) ReviewBreakGlass(ctx context.Context, id string, in intake.ReviewInput) (intake.BreakGlass, error) {
	return intake.BreakGlass{ID: id}, f.record(ctx, "ReviewBreakGlass", id, in)
}

func (f *fakeService) Disclose(ctx context.Context, id string, in intake.DisclosureInput) (intake.Disclosure, error) {
	return intake.Disclosure{CaseID: id}, f.record(ctx, "Disclose", id, in)
}

func (f *fakeService) Disclosures(ctx context.Context) ([]intake.Disclosure, error) {
	return nil, f.record(ctx, "Disclosures")
}

func (f *fakeService) PlaceLegalHold(ctx context.Context, id string, in intake.LegalHoldInput) (intake.LegalHold, error) {
	return intake.LegalHold{CaseID: id, LegalHold: true}, f.record(ctx, "PlaceLegalHold", id, in)
}

func (f *fakeService) ReleaseLegalHold(ctx context.Context, id string, in intake.LegalHoldInput) (intake.LegalHold, error) {
	return intake.LegalHold{CaseID: id}, f.record(ctx, "ReleaseLegalHold", id, in)
}

func (f *fakeService) AccessReport(ctx context.Context, id, lang string) (intake.AccessReport, error) {
	return intake.AccessReport{CaseID: id, Language: lang}, f.record(ctx, "AccessReport", id, lang)
}

func (f *fakeService) Certificate(ctx context.Context, id string) (intake.Certificate, error) {
	return intake.Certificate{CaseID: id}, f.record(ctx, "Certificate", id)
}
