package event

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/kit"
)

// TopicAudit is the outbox topic of audit events.
const TopicAudit = "audit"

// Outcome of an audited action.
type Outcome string

// Outcomes.
const (
	Allowed Outcome = "allowed"
	Denied  Outcome = "denied"
	Failed  Outcome = "failed"
)

// Audit is one audit event. Source and Seq are set by the outbox of the
// service that emitted it.
type Audit struct {
	ID         string    `json:"id"`
	Time       time.Time `json:"time"`
	ActorUser  string    `json:"actor_user,omitempty"`
	ActorOrg   string    `json:"actor_org,omitempty"`
	ActorRole  string    `json:"actor_role,omitempty"`
	Action     string    `json:"action"`
	ObjectType string    `json:"object_type,omitempty"`
	ObjectID   string    `json:"object_id,omitempty"`
	Outcome    Outcome   `json:"outcome"`
	RequestID  string    `json:"request_id,omitempty"`
	ClientHash string    `json:"client_hash,omitempty"`
	Source     string    `json:"source,omitempty"`
	Seq        int64     `json:"seq,omitempty"`
}

// Codes: actions are dotted lower-case words ("identity.login"); ids are
// UUIDs, references or other opaque tokens. Nothing else gets in, so a
// careless caller cannot put a name into the log. The checks are the
// patterns below, written out: they run for every event, twice.
//
//	action: ^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$
//	code:   ^[A-Za-z0-9._:/-]{0,128}$
//	roles:  ^[a-z_,]{0,256}$

func isLower(c byte) bool { return c >= 'a' && c <= 'z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isAction(s string) bool {
	words := 0
	for w := range strings.SplitSeq(s, ".") {
		if w == "" || !isLower(w[0]) {
			return false
		}
		for i := 1; i < len(w); i++ {
			if c := w[i]; !isLower(c) && !isDigit(c) && c != '_' {
				return false
			}
		}
		words++
	}
	return words >= 2
}

func isCode(s string) bool {
	if len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isLower(c) && !(c >= 'A' && c <= 'Z') && !isDigit(c) && !strings.ContainsRune("._:/-", rune(c)) {
			return false
		}
	}
	return true
}

func isRoles(s string) bool {
	if len(s) > 256 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isLower(c) && c != '_' && c != ',' {
			return false
		}
	}
	return true
}

// Validate checks that every field holds a code, not free text.
func (e Audit) Validate() error {
	switch {
	case len(e.ID) != 36:
		return fmt.Errorf("event: bad id")
	case e.Time.IsZero():
		return fmt.Errorf("event: no time")
	case !isAction(e.Action):
		return fmt.Errorf("event: bad action %q", e.Action)
	case e.Outcome != Allowed && e.Outcome != Denied && e.Outcome != Failed:
		return fmt.Errorf("event: bad outcome")
	case !isRoles(e.ActorRole):
		return fmt.Errorf("event: bad actor role")
	}
	for _, f := range [...]struct{ name, v string }{
		{"actor_user", e.ActorUser}, {"actor_org", e.ActorOrg}, {"object_type", e.ObjectType},
		{"object_id", e.ObjectID}, {"request_id", e.RequestID}, {"client_hash", e.ClientHash}, {"source", e.Source},
	} {
		if !isCode(f.v) {
			return fmt.Errorf("event: field %s is not a code", f.name)
		}
	}
	return nil
}

// Recorder builds audit events for one service from the request context.
type Recorder struct {
	// ClientKey keys the hash of client addresses (a master subkey), so the
	// log can link requests from one address without storing it.
	ClientKey []byte
	Now       func() time.Time
}

// New returns an event for action on an object, with the actor, request id
// and client address hash taken from ctx.
func (r Recorder) New(ctx context.Context, action, objectType, objectID string, outcome Outcome) Audit {
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	e := Audit{
		ID: NewOrderedID(), Time: now().UTC().Truncate(time.Microsecond),
		Action: action, ObjectType: objectType, ObjectID: objectID, Outcome: outcome,
		RequestID: kit.RequestID(ctx),
	}
	if p, ok := auth.FromContext(ctx); ok {
		e.ActorUser, e.ActorOrg = p.UserID, p.OrgID
		roles := slices.Clone(p.Roles)
		slices.Sort(roles)
		e.ActorRole = strings.Join(roles, ",")
	}
	if addr := kit.ClientAddr(ctx); addr != "" && len(r.ClientKey) > 0 {
		m := hmac.New(sha256.New, r.ClientKey)
		m.Write([]byte(addr))
		e.ClientHash = hex.EncodeToString(m.Sum(nil)[:16])
	}
	return e
}

// NewOrderedID returns a time-ordered (version 7, RFC 9562) UUID: the
// Unix time in milliseconds, then 74 random bits. For ids of rows written
// at a high rate (audit events, outbox messages, consent records): their
// index entries then go to the end of the index instead of to a random
// page, and after each checkpoint PostgreSQL logs a full page image for a
// few pages instead of for every page of the index. Not for ids that must
// not tell when they were made.
func NewOrderedID() string {
	var b [16]byte
	_, _ = rand.Read(b[6:])
	ms := uint64(time.Now().UnixMilli())
	for i := range 6 {
		b[i] = byte(ms >> (40 - 8*i))
	}
	b[6] = b[6]&0x0f | 0x70
	return uuidString(b)
}

// NewID returns a random (version 4) UUID.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	return uuidString(b)
}

// uuidString sets b's variant bits and returns it in the usual text form.
func uuidString(b [16]byte) string {
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
