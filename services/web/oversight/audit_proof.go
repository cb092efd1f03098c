package oversight

import (
	"bytes"
	"encoding/hex"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/audit"
	"github.com/nrm-project/nrm/services/web/page"
)

// proofStep is one level of an inclusion proof, from the leaf up: the
// sibling hash, on which side it joins, and the hash it makes.
type proofStep struct {
	Sibling string
	Left    bool // the sibling is the left child
	Result  string
}

// proofPage is an event, its proof checked step by step on the server, and
// the signed checkpoint the root is compared with.
type proofPage struct {
	Event      audit.Entry
	Size       int64
	LeafHash   string
	Steps      []proofStep
	Computed   string // the root the steps lead to
	Root       string // the root the audit service answered
	Checkpoint *checkpointView
	Included   bool // tlog.CheckRecord accepts the proof for that root
	Verified   bool // and the root is the one of a checkpoint whose signature verifies
	Pending    bool // no signed checkpoint covers the event yet
}

// checkpointView is a checkpoint note as shown: its text, what it says and
// whether its signature verifies with the configured key.
type checkpointView struct {
	Note      string
	Origin    string
	Size      int64
	Root      string
	Signed    bool
	Witnesses []witnessView
}

// witnessView is one witness's copy of the log's latest checkpoint.
type witnessView struct {
	Name   string
	Size   int64
	Status string // message key: matches, consistent, ahead, missing, bad
}

func (h *Pages) auditProof(q *page.Request) {
	id := q.R.PathValue("id")
	if !page.IsUUID(id) {
		h.NotFound(q)
		return
	}
	p, err := h.cfg.Audit.Proof(q.Ctx(), id, 0)
	if errors.Is(err, audit.ErrNotCovered) || errors.Is(err, audit.ErrNoCheckpoint) || kit.AsError(err).Status == http.StatusConflict {
		h.Render(q, http.StatusOK, "audit_proof", &page.View{Title: "audit.proof.title", Data: proofPage{Pending: true}})
		return
	}
	if err != nil {
		h.Fail(q, err)
		return
	}
	h.Render(q, http.StatusOK, "audit_proof", &page.View{Title: "audit.proof.title", Data: h.checkProof(p)})
}

// checkProof recomputes the leaf hash from the event, walks the proof up
// to the root, checks it with tlog, and checks the checkpoint's signature
// and root: the page says "verified" only when all of these hold.
func (h *Pages) checkProof(p audit.InclusionProof) proofPage {
	leaf := audit.LeafHash(p.Event.Audit)
	d := proofPage{Event: p.Event, Size: p.Size, LeafHash: hexHash(leaf[:]), Root: hexHash(p.Root)}
	proof := make(tlog.RecordProof, len(p.Proof))
	for i, b := range p.Proof {
		copy(proof[i][:], b)
	}
	left := siblingSides(p.Size, p.Event.Index)
	cur := leaf
	if len(left) == len(proof) {
		for i, s := range proof {
			if left[i] {
				cur = tlog.NodeHash(s, cur)
			} else {
				cur = tlog.NodeHash(cur, s)
			}
			d.Steps = append(d.Steps, proofStep{Sibling: hexHash(s[:]), Left: left[i], Result: hexHash(cur[:])})
		}
	}
	d.Computed = hexHash(cur[:])
	var root tlog.Hash
	copy(root[:], p.Root)
	d.Included = len(p.Root) == tlog.HashSize && tlog.CheckRecord(proof, p.Size, root, p.Event.Index, leaf) == nil
	if p.Checkpoint != "" {
		cp := h.openCheckpoint([]byte(p.Checkpoint))
		d.Checkpoint = &cp
		d.Verified = d.Included && cp.Signed && cp.Size == p.Size && cp.Root == d.Root
	}
	return d
}

// siblingSides says, from the leaf up, whether each sibling of leaf n in
// a tree of size t is its left neighbour: the shape tlog.ProveRecord
// builds (split at the largest power of two below the width).
func siblingSides(t, n int64) []bool {
	var top []bool // from the root down
	lo, hi := int64(0), t
	for hi-lo > 1 {
		k := int64(1)
		for k<<1 < hi-lo {
			k <<= 1
		}
		if n < lo+k {
			top, hi = append(top, false), lo+k
		} else {
			top, lo = append(top, true), lo+k
		}
	}
	out := make([]bool, len(top))
	for i, s := range top {
		out[len(top)-1-i] = s
	}
	return out
}

func hexHash(b []byte) string { return hex.EncodeToString(b) }

// openCheckpoint checks a note's signature with the configured verifier
// key; a note that does not verify is still shown, as unsigned.
func (h *Pages) openCheckpoint(msg []byte) checkpointView {
	v := checkpointView{Note: string(msg)}
	if h.cfg.AuditVerifierKey != "" {
		if cp, err := audit.OpenCheckpoint(msg, h.cfg.AuditVerifierKey); err == nil {
			v.Signed, v.Origin, v.Size, v.Root = true, cp.Origin, cp.Size, hexHash(cp.Root[:])
		}
	}
	return v
}

func (h *Pages) auditCheckpoint(q *page.Request) {
	msg, err := h.cfg.Audit.LatestCheckpoint(q.Ctx())
	if errors.Is(err, audit.ErrNoCheckpoint) || kit.AsError(err).Status == http.StatusNotFound {
		h.Render(q, http.StatusOK, "audit_checkpoint", &page.View{Title: "audit.checkpoint.title"})
		return
	}
	if err != nil {
		h.Fail(q, err)
		return
	}
	cp := h.openCheckpoint(msg)
	for i, dir := range h.cfg.Witnesses {
		cp.Witnesses = append(cp.Witnesses, h.compareWitness(q, i, dir, cp))
	}
	h.Render(q, http.StatusOK, "audit_checkpoint", &page.View{Title: "audit.checkpoint.title", Data: &cp})
}

// compareWitness reads a witness directory's copy of the latest checkpoint
// and compares it with the log's: the same tree, or an older tree the
// latest provably extends (a consistency proof), or a mismatch.
func (h *Pages) compareWitness(q *page.Request, i int, dir string, latest checkpointView) witnessView {
	w := witnessView{Name: witnessName(i, dir), Status: "audit.witness.bad"}
	if strings.HasPrefix(dir, "https://") {
		w.Status = "audit.witness.remote"
		return w
	}
	b, err := os.ReadFile(filepath.Join(dir, "latest"))
	if err != nil {
		w.Status = "audit.witness.missing"
		return w
	}
	held := h.openCheckpoint(b)
	w.Size = held.Size
	switch {
	case !held.Signed || !latest.Signed:
	// The log's note may carry its HTTP witnesses' cosignatures after the
	// lines a directory's copy holds.
	case held.Size == latest.Size && held.Root == latest.Root && bytes.HasPrefix([]byte(latest.Note), b):
		w.Status = "audit.witness.matches"
	case held.Size > latest.Size:
		w.Status = "audit.witness.ahead"
	case held.Size < latest.Size && held.Size > 0:
		p, err := h.cfg.Audit.Consistency(q.Ctx(), held.Size, latest.Size)
		if err != nil {
			return w
		}
		var from, to tlog.Hash
		fromRoot, _ := hex.DecodeString(held.Root)
		toRoot, _ := hex.DecodeString(latest.Root)
		copy(from[:], fromRoot)
		copy(to[:], toRoot)
		proof := make(tlog.TreeProof, len(p.Proof))
		for i, b := range p.Proof {
			copy(proof[i][:], b)
		}
		if tlog.CheckTree(proof, latest.Size, to, held.Size, from) == nil {
			w.Status = "audit.witness.consistent"
		}
	}
	return w
}

// witnessName names a witness by its place in the list and its last path
// element, never its full path on the server.
func witnessName(i int, dir string) string {
	return "#" + string(rune('1'+i%9)) + " " + filepath.Base(filepath.Clean(dir))
}
