package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/nrm-project/nrm/services/intake/casefile"
)

// WorkflowRow is a case_workflow row; a case without one is in its
// initial states, derived from intake's registration status.
type WorkflowRow struct {
	CaseID, DecisionState, SupportState                 string
	SubmittedAt                                         *time.Time
	RGDue, ReflectionEnds, ReconsiderUntil              string
	ProposalTo, ProposalBy, ProposalCode, ProposalEntry string
	GuardianUser, GuardianOrg                           string
	BIAEntry, BIARecordedBy, BIAApprovedBy              string
	LegalHold                                           bool
	stored                                              bool
}

const workflowColumns = `case_id, decision_state, support_state, submitted_at, rg_due, reflection_ends, reconsider_until,
	proposal_to, proposal_by, proposal_code, proposal_entry, guardian_user, guardian_org, bia_entry, bia_recorded_by,
	bia_approved_by, legal_hold, updated_at`

// initialWorkflow derives the states of a case that has no workflow row:
// an nrm case starts identified; one submitted through Submit is submitted.
func initialWorkflow(c CaseRow) WorkflowRow {
	w := WorkflowRow{CaseID: c.ID, DecisionState: casefile.DecisionIdentified, SupportState: casefile.SupportOpen}
	if c.Status == casefile.StatusSubmitted {
		w.DecisionState = casefile.DecisionSubmitted
		t := c.UpdatedAt
		w.SubmittedAt = &t
	}
	return w
}

// Workflow loads the case's workflow row, or its initial states.
func (s *Store) Workflow(ctx context.Context, q Querier, c CaseRow) (WorkflowRow, error) {
	var (
		w         WorkflowRow
		submitted sql.NullTime
		updated   time.Time
	)
	err := q.QueryRowContext(ctx, `SELECT `+workflowColumns+` FROM case_workflow WHERE case_id = $1`, c.ID).Scan(
		&w.CaseID, &w.DecisionState, &w.SupportState, &submitted, &w.RGDue, &w.ReflectionEnds, &w.ReconsiderUntil,
		&w.ProposalTo, &w.ProposalBy, &w.ProposalCode, &w.ProposalEntry, &w.GuardianUser, &w.GuardianOrg, &w.BIAEntry,
		&w.BIARecordedBy, &w.BIAApprovedBy, &w.LegalHold, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return initialWorkflow(c), nil
	}
	if err != nil {
		return WorkflowRow{}, fmt.Errorf("intake: workflow: %w", err)
	}
	if submitted.Valid {
		t := submitted.Time.UTC()
		w.SubmittedAt = &t
	}
	w.stored = true
	return w, nil
}

// PutWorkflow writes the row (insert or replace).
func (s *Store) PutWorkflow(ctx context.Context, q Querier, w *WorkflowRow, now time.Time) error {
	var submitted any
	if w.SubmittedAt != nil {
		submitted = *w.SubmittedAt
	}
	_, err := q.ExecContext(ctx, `INSERT INTO case_workflow (`+workflowColumns+`) VALUES
		($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
		ON CONFLICT (case_id) DO UPDATE SET decision_state = excluded.decision_state, support_state = excluded.support_state,
		submitted_at = excluded.submitted_at, rg_due = excluded.rg_due, reflection_ends = excluded.reflection_ends,
		reconsider_until = excluded.reconsider_until, proposal_to = excluded.proposal_to, proposal_by = excluded.proposal_by,
		proposal_code = excluded.proposal_code, proposal_entry = excluded.proposal_entry, guardian_user = excluded.guardian_user,
		guardian_org = excluded.guardian_org, bia_entry = excluded.bia_entry, bia_recorded_by = excluded.bia_recorded_by,
		bia_approved_by = excluded.bia_approved_by, legal_hold = excluded.legal_hold, updated_at = excluded.updated_at`,
		w.CaseID, w.DecisionState, w.SupportState, submitted, w.RGDue, w.ReflectionEnds, w.ReconsiderUntil,
		w.ProposalTo, w.ProposalBy, w.ProposalCode, w.ProposalEntry, w.GuardianUser, w.GuardianOrg, w.BIAEntry,
		w.BIARecordedBy, w.BIAApprovedBy, w.LegalHold, now)
	if err != nil {
		return fmt.Errorf("intake: put workflow: %w", err)
	}
	w.stored = true
	return nil
}

// InsertDecision appends a decision to the case's history.
func (s *Store) InsertDecision(ctx context.Context, q Querier, caseID string, d casefile.DecisionRecord) error {
	_, err := q.ExecContext(ctx, `INSERT INTO decisions (id, case_id, track, from_state, to_state, reason_code, proposed_by,
		decided_by, org_id, entry_id, proposal_entry_id, consent_id, early_request_id, decided_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		d.ID, caseID, d.Track, d.From, d.To, d.ReasonCode, d.ProposedBy, d.DecidedBy, d.OrgID, d.EntryID, d.ProposalEntryID,
		d.ConsentID, d.EarlyRequestID, d.DecidedAt)
	if err != nil {
		return fmt.Errorf("intake: insert decision: %w", err)
	}
	return nil
}

// Decisions returns the case's decision history, oldest first.
func (s *Store) Decisions(ctx context.Context, q Querier, caseID string) ([]casefile.DecisionRecord, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, track, from_state, to_state, reason_code, proposed_by, decided_by, org_id,
		entry_id, proposal_entry_id, consent_id, early_request_id, decided_at FROM decisions WHERE case_id = $1 ORDER BY decided_at, id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("intake: decisions: %w", err)
	}
	defer rows.Close()
	out := []casefile.DecisionRecord{}
	for rows.Next() {
		var d casefile.DecisionRecord
		if err := rows.Scan(&d.ID, &d.Track, &d.From, &d.To, &d.ReasonCode, &d.ProposedBy, &d.DecidedBy, &d.OrgID,
			&d.EntryID, &d.ProposalEntryID, &d.ConsentID, &d.EarlyRequestID, &d.DecidedAt); err != nil {
			return nil, fmt.Errorf("intake: decisions: %w", err)
		}
		d.DecidedAt = d.DecidedAt.UTC()
		out = append(out, d)
	}
	return out, rows.Err()
}

// OverdueCases returns the cases whose decision was due before today
// (a date) and is not reported overdue yet, the earliest due first.
func (s *Store) OverdueCases(ctx context.Context, today string) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT case_id FROM case_workflow
		WHERE decision_state IN ('submitted', 'info_requested') AND rg_due <> '' AND rg_due < $1
		AND NOT overdue_reported ORDER BY rg_due`, today)
	if err != nil {
		return nil, fmt.Errorf("intake: overdue: %w", err)
	}
	defer rows.Close()
	ids, err := scanAll(rows, func(sc Scanner) (string, error) {
		var id string
		return id, sc.Scan(&id)
	})
	if err != nil {
		return nil, fmt.Errorf("intake: overdue: %w", err)
	}
	return ids, nil
}

// MarkOverdueReported marks the case's decision reported overdue; false
// when it already was (another replica reported it).
func (s *Store) MarkOverdueReported(ctx context.Context, q Querier, caseID string) (bool, error) {
	res, err := q.ExecContext(ctx, `UPDATE case_workflow SET overdue_reported = TRUE
		WHERE case_id = $1 AND NOT overdue_reported`, caseID)
	if err != nil {
		return false, fmt.Errorf("intake: overdue: %w", err)
	}
	k, err := res.RowsAffected()
	return err == nil && k == 1, err
}
