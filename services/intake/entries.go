package intake

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/go-kit/log/level"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/pkg/seal"
	"github.com/nrm-project/nrm/services/intake/casefile"
	"github.com/nrm-project/nrm/services/intake/store"
)

// Entry types a caller may add; decision and decision_letter are written
// by the decision track itself.
const (
	EntryNote             = "note"
	EntryCorrection       = "correction"
	EntryServiceDelivered = "service_delivered"
	EntrySupportPlan      = "support_plan"
	EntryInterview        = "interview"
	EntryAttachment       = "attachment"
	EntryAgeAssessment    = "age_assessment"
	EntryBestInterests    = "best_interests"
	// EntryProceedEarly records that the person asked for the conclusive
	// decision before the end of the recovery and reflection period; the
	// owner or the competent authority writes it.
	EntryProceedEarly = "proceed_early_request"
	entryDecision     = "decision"
	entryLetter       = "decision_letter"
)

// EntryTypes lists the types of POST /api/v1/cases/{id}/entries.
var EntryTypes = []string{EntryNote, EntryCorrection, EntryServiceDelivered, EntrySupportPlan, EntryInterview,
	EntryAttachment, EntryAgeAssessment, EntryBestInterests, EntryProceedEarly}

// MaxAttachmentBytes bounds an attachment's decoded size.
const MaxAttachmentBytes = 5 << 20

// attachmentTypes are the media types accepted, checked by sniffing.
var attachmentTypes = []string{"application/pdf", "image/png", "image/jpeg"}

// entrySection is the sealed header's section name of an entry.
func entrySection(id string) string { return "entry/" + id }

// validateEntry checks the input: the type, JSON content, and per type
// the fields the workflow reads (age assessment outcome, attachments).
func validateEntry(in EntryInput) error {
	var f kit.Fields // every failing field at once
	if !slices.Contains(EntryTypes, in.Type) {
		f.Add("type", kit.FieldNotOneOf, "must be one of "+store.JoinCodes(EntryTypes))
	}
	if len(in.Content) == 0 || !json.Valid(in.Content) {
		f.Add("content", kit.FieldInvalid, "must be JSON")
	} else if jsonDepth(in.Content) > maxEntryDepth {
		f.Add("content", kit.FieldInvalid, "nested more than 32 levels deep")
	}
	if (in.Type == EntryCorrection) != (in.Supersedes != "") {
		f.Add("supersedes", kit.FieldInvalid, "required for a correction, and only for one")
	} else if in.Supersedes != "" && !casefile.ValidID(in.Supersedes) {
		f.Add("supersedes", kit.FieldInvalid, "must be an entry id")
	}
	if err := f.Err(); err != nil {
		return err
	}
	switch in.Type {
	case EntryAgeAssessment:
		var a struct {
			Outcome string `json:"outcome"`
		}
		if json.Unmarshal(in.Content, &a) != nil || a.Outcome != "child" && a.Outcome != "adult" {
			return kit.Validation("content.outcome: must be child or adult")
		}
	case EntryAttachment:
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

func (s *service) AddEntry(ctx context.Context, caseID string, in EntryInput) (Entry, error) {
	p, org, err := s.callerOrg(ctx)
	if err != nil {
		return Entry{}, err
	}
	if err := validateEntry(in); err != nil {
		return Entry{}, err
	}
	if err := s.ring.EnsureOrgKey(ctx, p.OrgID); err != nil {
		return Entry{}, err
	}
	protects := false
	if in.Type == EntryBestInterests {
		if protects, err = s.protectsChildren(ctx, org); err != nil {
			return Entry{}, err
		}
	}
	var out Entry
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		c, w, grants, err := s.loadForWorkflow(ctx, tx, p, caseID)
		if err != nil {
			return err
		}
		if err := s.refuseBreakGlassWrite(ctx, tx, p, caseID); err != nil {
			return err
		}
		if in.Type == EntryBestInterests && !mayRecordBestInterests(p, c, w, grants, protects) {
			return ErrBestInterestsRecorder
		}
		if in.Type == EntryProceedEarly && len(caseActors(p, c, grants)) == 0 {
			return kit.ErrForbidden
		}
		if in.Supersedes != "" {
			found, err := s.store.EntryExists(ctx, tx, caseID, in.Supersedes)
			if err != nil {
				return err
			}
			if !found {
				return kit.Validation("supersedes: no such entry in this case")
			}
		}
		id, err := s.sealEntry(ctx, tx, p, c, in.Type, in.Content, in.Supersedes)
		if err != nil {
			return err
		}
		if err := s.applyEntry(ctx, tx, p, &c, &w, in, id); err != nil {
			return err
		}
		out = Entry{ID: id, CaseID: caseID, Type: in.Type, Supersedes: in.Supersedes, AuthorUser: p.UserID,
			AuthorOrg: p.OrgID, CreatedAt: s.now()}
		if err := s.idem.Record(ctx, tx, http.StatusCreated, caseID, id); err != nil {
			return err
		}
		return s.emitWorkflow(ctx, tx, nil, s.rec.New(ctx, "intake.entry.create", "case", caseID, event.Allowed))
	})
	if err != nil {
		return Entry{}, s.finish(ctx, err, "intake.entry.create", caseID)
	}
	return out, nil
}

// sealEntry seals content under a new data key and wraps the key for the
// author's organisation, the owner and every organisation holding, at
// write time, an active grant that covers the entry's class. It returns
// the entry's id.
func (s *service) sealEntry(ctx context.Context, tx *sql.Tx, p auth.Principal, c store.CaseRow, typ string, content any, supersedes string) (string, error) {
	pt, err := json.Marshal(content)
	if err != nil {
		return "", fmt.Errorf("intake: entry: %w", err)
	}
	id, now := event.NewID(), s.now()
	h := seal.Header{CaseID: c.ID, Section: entrySection(id), AuthorOrg: p.OrgID}
	sealed, key, err := seal.Seal(h, pt)
	clear(pt)
	if err != nil {
		return "", fmt.Errorf("intake: case %s: seal entry: %w", c.ID, err)
	}
	if err := s.store.InsertEntry(ctx, tx, store.NewEntry{ID: id, CaseID: c.ID, Type: typ, Supersedes: supersedes,
		AuthorUser: p.UserID, AuthorOrg: p.OrgID, RetentionClass: entryClass(typ), Sealed: []byte(sealed), CreatedAt: now}); err != nil {
		return "", err
	}
	grants, err := s.store.Grants(ctx, tx, c.ID)
	if err != nil {
		return "", err
	}
	var linkErr error
	class := entryClassOf(typ, supersedes, func(id string) (string, string) {
		t, sup, err := s.store.EntryLink(ctx, tx, c.ID, id)
		if err != nil && linkErr == nil {
			linkErr = err
		}
		return t, sup
	})
	if linkErr != nil {
		return "", linkErr
	}
	readers := []string{p.OrgID, c.OwnerOrg}
	var secs []store.SectionRow
	for _, g := range grants {
		if !grantCovers(g, class) || slices.Contains(readers, g.OrgID) {
			continue
		}
		if secs == nil {
			if secs, err = s.store.Sections(ctx, tx, c.ID); err != nil {
				return "", err
			}
		}
		ok, err := s.wrapStillValid(ctx, tx, c.ID, g.OrgID, secs, grants, g)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return "", err
		}
		if !ok {
			_ = level.Error(s.log).Log("msg", "an active grantee's wrap does not match the case: no entry key for it", "case", c.ID, "org", g.OrgID)
			continue
		}
		readers = append(readers, g.OrgID)
	}
	slices.Sort(readers)
	kg := seal.KeyGrant{KeyRef: seal.KeyRef{CaseID: c.ID, Section: h.Section, RetentionClass: entryClass(typ)}, Key: key}
	for _, org := range slices.Compact(readers) {
		if err := s.wrapEntryKey(ctx, tx, h, sealed, kg, org); err != nil {
			return "", err
		}
	}
	return id, nil
}

// wrapEntryKey wraps one entry key to org's active identity with the MAC
// binding the entry, its ciphertext, the wrap and the organisation.
func (s *service) wrapEntryKey(ctx context.Context, tx *sql.Tx, h seal.Header, sealed seal.Sealed, kg seal.KeyGrant, org string) error {
	version, recipient, err := s.ring.ActiveRecipient(ctx, tx, org)
	if err != nil {
		return err
	}
	wrap, err := s.wrapKeys(h.CaseID, nil, recipient, []seal.KeyGrant{kg})
	if err != nil {
		return fmt.Errorf("intake: case %s: wrap entry key: %w", h.CaseID, err)
	}
	mac := seal.SectionMAC(s.macKey, h, sealed, wrap, org)
	return s.store.InsertEntryKey(ctx, tx, h.Section[len("entry/"):], org, version, wrap, mac)
}

// mayReadEntry: the author and the owner read every entry whose key they
// hold, a grantee those of a class its grants cover (grants as grantsFor
// gives them to the caller).
func mayReadEntry(c store.CaseRow, grants []store.GrantRow, org string, e store.StoredEntry, class string) bool {
	if !e.HasKey {
		return false
	}
	return (e.AuthorOrg == org && authorReads(grants, org)) || c.OwnerOrg == org || orgCoversClass(grants, org, class)
}

func (s *service) Entries(ctx context.Context, caseID string) ([]Entry, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	var (
		stored []store.StoredEntry
		c      store.CaseRow
		grants []store.GrantRow
	)
	err = s.store.ReadTx(ctx, func(tx *sql.Tx) error {
		if c, _, grants, err = s.loadForWorkflow(ctx, tx, p, caseID); err != nil {
			return err
		}
		stored, err = s.store.Entries(ctx, tx, caseID, p.OrgID)
		return err
	})
	if err != nil {
		return nil, s.finish(ctx, err, "intake.entry.read", caseID)
	}
	// Fail closed, as Get: the read is in the outbox before any decryption.
	if err := s.auditAlone(ctx, s.rec.New(ctx, "intake.entry.read", "case", caseID, event.Allowed)); err != nil {
		return nil, err
	}
	return s.record(ctx, p, c, grants, stored)
}

// record is the case record as p may read it from stored: every entry,
// superseded ones marked, content only where p's organisation may open
// it. The read must be audited before.
func (s *service) record(ctx context.Context, p auth.Principal, c store.CaseRow, grants []store.GrantRow, stored []store.StoredEntry) ([]Entry, error) {
	superseded, links := map[string]string{}, map[string][2]string{}
	for _, e := range stored {
		links[e.ID] = [2]string{e.Type, e.Supersedes}
		if e.Supersedes != "" {
			superseded[e.Supersedes] = e.ID
		}
	}
	typeOf := func(id string) (string, string) { l := links[id]; return l[0], l[1] }
	out := make([]Entry, 0, len(stored))
	for _, e := range stored {
		e.SupersededBy = superseded[e.ID]
		if mayReadEntry(c, grants, p.OrgID, e, entryClassOf(e.Type, e.Supersedes, typeOf)) {
			pt, err := s.openEntry(ctx, p.OrgID, e)
			if err != nil {
				return nil, s.readFailed(ctx, c.ID, err)
			}
			e.Content = pt
		}
		out = append(out, e.Entry)
	}
	return out, nil
}

// openEntry checks the entry's MAC and opens it with org's identity.
func (s *service) openEntry(ctx context.Context, org string, e store.StoredEntry) ([]byte, error) {
	id, err := s.ring.Identity(ctx, s.db, org, e.KeyVersion)
	if err != nil {
		return nil, err
	}
	h := seal.Header{CaseID: e.CaseID, Section: entrySection(e.ID), AuthorOrg: e.AuthorOrg}
	pts, err := seal.OpenSections(id, org, s.macKey, e.Wrap, []seal.StoredSection{{Header: h, Sealed: e.Sealed, MAC: e.Mac}}, s.unlock(e.CaseID))
	if err != nil {
		return nil, fmt.Errorf("intake: open entry: %w: %w", ErrIntegrity, err)
	}
	return pts[h.ID()], nil
}

// shareEntries wraps to org the keys of the case's entries of the given
// types that from holds (a guardian's appointment): server-side, from the
// owner's wraps, as consent revocation does for sections.
func (s *service) shareEntries(ctx context.Context, tx *sql.Tx, caseID, from, org string, types []string) error {
	stored, err := s.store.Entries(ctx, tx, caseID, from)
	if err != nil {
		return err
	}
	for _, e := range stored {
		if !e.HasKey || !slices.Contains(types, e.Type) {
			continue
		}
		if err := s.passEntryKey(ctx, tx, from, org, e); err != nil {
			return err
		}
	}
	return nil
}

// shareCovered wraps to org, from the owner's keys, the keys of the
// case's entries that org's grants now cover and that it does not hold:
// what a grant opens does not depend on whether an entry was written
// before it or after (the decision maker reads the interview recorded
// before the submission, the shelter the support notes written before it
// accepted).
func (s *service) shareCovered(ctx context.Context, tx *sql.Tx, c store.CaseRow, org string, grants []store.GrantRow) error {
	if org == c.OwnerOrg {
		return nil
	}
	held, err := s.store.Entries(ctx, tx, c.ID, org)
	if err != nil {
		return err
	}
	holds := make(map[string]bool, len(held))
	for _, e := range held {
		holds[e.ID] = e.HasKey
	}
	owner, err := s.store.Entries(ctx, tx, c.ID, c.OwnerOrg)
	if err != nil {
		return err
	}
	links := make(map[string]store.StoredEntry, len(owner))
	for _, e := range owner {
		links[e.ID] = e
	}
	link := func(id string) (string, string) { e := links[id]; return e.Type, e.Supersedes }
	for _, e := range owner {
		if !e.HasKey || holds[e.ID] || !orgCoversClass(grants, org, entryClassOf(e.Type, e.Supersedes, link)) {
			continue
		}
		if err := s.passEntryKey(ctx, tx, c.OwnerOrg, org, e); err != nil {
			return err
		}
	}
	return nil
}

// passEntryKey wraps to org the key of entry e that from holds, after
// checking from's MAC over it.
func (s *service) passEntryKey(ctx context.Context, tx *sql.Tx, from, org string, e store.StoredEntry) error {
	id, err := s.ring.Identity(ctx, tx, from, e.KeyVersion)
	if err != nil {
		return err
	}
	h := seal.Header{CaseID: e.CaseID, Section: entrySection(e.ID), AuthorOrg: e.AuthorOrg}
	if err := seal.CheckSectionMAC(s.macKey, h, e.Sealed, e.Wrap, from, e.Mac); err != nil {
		return fmt.Errorf("intake: case %s: %w: %w", e.CaseID, ErrIntegrity, err)
	}
	kgs, err := seal.Unwrap(id, e.Wrap, s.unlock(e.CaseID))
	if err != nil || len(kgs) != 1 {
		return fmt.Errorf("intake: case %s: entry key: %w", e.CaseID, ErrIntegrity)
	}
	return s.wrapEntryKey(ctx, tx, h, e.Sealed, kgs[0], org)
}
