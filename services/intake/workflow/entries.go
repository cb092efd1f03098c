package workflow

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake/casefile"
	"github.com/nrm-project/nrm/services/intake/store"
)

// MaxAttachmentBytes bounds an attachment's decoded size.
const MaxAttachmentBytes = 5 << 20

// attachmentTypes are the media types accepted, checked by sniffing.
var attachmentTypes = []string{"application/pdf", "image/png", "image/jpeg"}

// CodeBestInterestsRecorder answers a best-interests assessment from an
// organisation that may not record one.
const CodeBestInterestsRecorder = "best_interests_recorder"

// ErrBestInterestsRecorder refuses a best-interests entry from anyone but
// the owner, the appointed guardian's organisation or a child-protection
// organisation holding a grant: recording one replaces the assessment and
// clears its approval. Casework.Finish audits it as a denial.
var ErrBestInterestsRecorder = kit.NewError(http.StatusForbidden, CodeBestInterestsRecorder,
	"type: a best-interests assessment is recorded by the owner, the guardian's organisation or a child-protection organisation holding a grant")

// validateEntry checks the input: the type, JSON content, and per type
// the fields the workflow reads (age assessment outcome, attachments).
func validateEntry(in casefile.EntryInput) error {
	var f kit.Fields // every failing field at once
	if !slices.Contains(casefile.EntryTypes, in.Type) {
		f.Add("type", kit.FieldNotOneOf, "must be one of "+store.JoinCodes(casefile.EntryTypes))
	}
	if len(in.Content) == 0 || !json.Valid(in.Content) {
		f.Add("content", kit.FieldInvalid, "must be JSON")
	} else if jsonDepth(in.Content) > maxEntryDepth {
		f.Add("content", kit.FieldInvalid, "nested more than 32 levels deep")
	}
	if (in.Type == casefile.EntryCorrection) != (in.Supersedes != "") {
		f.Add("supersedes", kit.FieldInvalid, "required for a correction, and only for one")
	} else if in.Supersedes != "" && !casefile.ValidID(in.Supersedes) {
		f.Add("supersedes", kit.FieldInvalid, "must be an entry id")
	}
	if err := f.Err(); err != nil {
		return err
	}
	switch in.Type {
	case casefile.EntryAgeAssessment:
		var a struct {
			Outcome string `json:"outcome"`
		}
		if json.Unmarshal(in.Content, &a) != nil || a.Outcome != "child" && a.Outcome != "adult" {
			return kit.Validation("content.outcome: must be child or adult")
		}
	case casefile.EntryAttachment:
		var a struct {
			MediaType string `json:"media_type"`
			Data      string `json:"data"`
		}
		if json.Unmarshal(in.Content, &a) != nil {
			return kit.Validation("content: an attachment is {media_type, data}")
		}
		if base64.StdEncoding.DecodedLen(len(a.Data)) > MaxAttachmentBytes+3 {
			return kit.Validation("content.data: at most 5 MiB")
		}
		raw, err := base64.StdEncoding.DecodeString(a.Data)
		if err != nil || len(raw) == 0 || len(raw) > MaxAttachmentBytes {
			return kit.Validation("content.data: base64 of at most 5 MiB")
		}
		sniffed := http.DetectContentType(raw)
		if !slices.Contains(attachmentTypes, sniffed) || sniffed != a.MediaType {
			return kit.Validation("content.media_type: the file must be a PDF, PNG or JPEG and say so")
		}
	}
	return nil
}

// AddEntry implements Service.
func (tr *Tracks) AddEntry(ctx context.Context, caseID string, in casefile.EntryInput) (casefile.Entry, error) {
	p, kind, err := tr.cw.CallerOrg(ctx)
	if err != nil {
		return casefile.Entry{}, err
	}
	if err := validateEntry(in); err != nil {
		return casefile.Entry{}, err
	}
	if err := tr.ring.EnsureOrgKey(ctx, p.OrgID); err != nil {
		return casefile.Entry{}, err
	}
	protects := false
	if in.Type == casefile.EntryBestInterests {
		if protects, err = tr.ProtectsChildren(ctx, p.OrgID, kind); err != nil {
			return casefile.Entry{}, err
		}
	}
	var out casefile.Entry
	err = tr.db.Tx(ctx, func(tx *sql.Tx) error {
		c, w, grants, err := tr.cw.Visible(ctx, tx, p, caseID)
		if err != nil {
			return err
		}
		if err := tr.cw.RefuseWrite(ctx, tx, p, caseID); err != nil {
			return err
		}
		if in.Type == casefile.EntryBestInterests && !tr.cw.MayRecordBestInterests(p, c, w, grants, protects) {
			return ErrBestInterestsRecorder
		}
		if in.Type == casefile.EntryProceedEarly && len(caseActors(p, c, grants)) == 0 {
			return kit.ErrForbidden
		}
		if in.Supersedes != "" {
			found, err := tr.store.EntryExists(ctx, tx, caseID, in.Supersedes)
			if err != nil {
				return err
			}
			if !found {
				return kit.Validation("supersedes: no such entry in this case")
			}
		}
		id, err := tr.cw.SealEntry(ctx, tx, p, c, in.Type, in.Content, in.Supersedes)
		if err != nil {
			return err
		}
		if err := tr.applyEntry(ctx, tx, p, &c, &w, in, id); err != nil {
			return err
		}
		out = casefile.Entry{ID: id, CaseID: caseID, Type: in.Type, Supersedes: in.Supersedes, AuthorUser: p.UserID,
			AuthorOrg: p.OrgID, CreatedAt: tr.now()}
		if err := tr.idem.Record(ctx, tx, http.StatusCreated, caseID, id); err != nil {
			return err
		}
		return tr.cw.Emit(ctx, tx, nil, tr.rec.New(ctx, "intake.entry.create", "case", caseID, event.Allowed))
	})
	if err != nil {
		return casefile.Entry{}, tr.cw.Finish(ctx, err, "intake.entry.create", caseID)
	}
	return out, nil
}

// Entries implements Service.
func (tr *Tracks) Entries(ctx context.Context, caseID string) ([]casefile.Entry, error) {
	p, err := auth.Required(ctx)
	if err != nil {
		return nil, err
	}
	var (
		stored []store.StoredEntry
		c      store.CaseRow
		grants []store.GrantRow
	)
	err = tr.store.ReadTx(ctx, func(tx *sql.Tx) error {
		if c, _, grants, err = tr.cw.Visible(ctx, tx, p, caseID); err != nil {
			return err
		}
		stored, err = tr.store.Entries(ctx, tx, caseID, p.OrgID)
		return err
	})
	if err != nil {
		return nil, tr.cw.Finish(ctx, err, "intake.entry.read", caseID)
	}
	// Fail closed, as Get: the read is in the outbox before any decryption.
	if err := tr.cw.AuditAlone(ctx, tr.rec.New(ctx, "intake.entry.read", "case", caseID, event.Allowed)); err != nil {
		return nil, err
	}
	return tr.cw.Record(ctx, p, c, grants, stored)
}
