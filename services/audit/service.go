package audit

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/go-kit/log"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/keys"
	"github.com/nrm-project/nrm/pkg/kit"
)

// ownSource is the source name of the events the audit service writes itself.
const ownSource = "audit"

// Service is what auditors call. The append path is not part of it: it is
// internal (Log.Append) and never exposed over HTTP.
type Service interface {
	// Events lists events matching q in log order.
	Events(ctx context.Context, q Query) (EventPage, error)
	// Proof proves that event id is in the tree of the given size (0: the
	// latest checkpoint).
	Proof(ctx context.Context, id string, size int64) (InclusionProof, error)
	// LatestCheckpoint returns the latest signed checkpoint note.
	LatestCheckpoint(ctx context.Context) ([]byte, error)
	// Consistency proves that the tree of size from is a prefix of the
	// tree of size to.
	Consistency(ctx context.Context, from, to int64) (ConsistencyProof, error)
	// Alerts lists alert events (gaps, denial spikes, bulk reads).
	Alerts(ctx context.Context, q Query) (EventPage, error)
}

// EventPage is one page of events; Next is the cursor of the next page.
type EventPage struct {
	Events []Entry `json:"events"`
	Next   *int64  `json:"next,omitempty"`
}

// InclusionProof proves that Event is leaf Event.Index of the tree of Size
// leaves with root Root. Checkpoint is the signed note of that tree, when
// one was published.
type InclusionProof struct {
	Event      Entry    `json:"event"`
	Size       int64    `json:"size"`
	Root       []byte   `json:"root"`
	Proof      [][]byte `json:"proof"`
	Checkpoint string   `json:"checkpoint,omitempty"`
}

// ConsistencyProof proves that the tree of From leaves is a prefix of the
// tree of To leaves.
type ConsistencyProof struct {
	From     int64    `json:"from"`
	To       int64    `json:"to"`
	FromRoot []byte   `json:"from_root"`
	ToRoot   []byte   `json:"to_root"`
	Proof    [][]byte `json:"proof"`
}

// Errors.
var (
	ErrNotFound     = kit.NewError(http.StatusNotFound, kit.CodeNotFound, "event not found")
	ErrNoCheckpoint = kit.NewError(http.StatusNotFound, kit.CodeNotFound, "no checkpoint yet")
	ErrNotCovered   = kit.Conflict("the event is not in a tree of that size yet")
	ErrBadSize      = kit.Validation("tree sizes must satisfy 0 < from <= to <= the log size")
	// ErrBadPublicSize: the public routes serve only trees up to the latest
	// signed checkpoint.
	ErrBadPublicSize = kit.Validation("tree sizes and indexes must satisfy 0 <= index < size, 0 < from <= to, all at most the latest checkpoint's size")
	ErrBadQuery      = kit.Validation("query: object_type, object_id, actor, org and action must be codes; outcome one of allowed, denied, failed; from and to RFC 3339 times; after an index; limit 1..1000")
	ErrInvalidEvent  = kit.Validation("audit event rejected: not a well-formed audit event")
	ErrEmptyLog      = kit.Conflict("the log is empty")
)

// Config configures the audit log.
type Config struct {
	DB     *db.DB
	Keys   *keys.Dir
	Logger log.Logger
	// Origin is the checkpoint origin line (and signer key name).
	Origin string
	// CheckpointDir receives one file per checkpoint (named by tree size)
	// and "latest"; it should live outside the database's reach.
	CheckpointDir string
	// Witnesses receive every checkpoint: directory paths, or https URLs
	// receiving a POST of the note text.
	Witnesses []string
	// WitnessKeys, when set, are the witnesses' note verifier keys: only
	// cosignatures that verify under them are collected, and an answer
	// carrying a bad signature of one of them is refused. Without them,
	// every signature line a witness answers with is kept unverified
	// (verifiers check them).
	WitnessKeys        []string
	HTTPClient         *http.Client
	CheckpointEvery    int           // events; default 1000
	CheckpointInterval time.Duration // default 10s
	// Alerts: more than DenialThreshold denials, or BulkReadThreshold
	// reads, by one user within AlertWindow raise an alert.
	DenialThreshold   int           // default 20
	BulkReadThreshold int           // default 200
	AlertWindow       time.Duration // default 5m
	Registerer        prometheus.Registerer
	Now               func() time.Time
}

// Log is the audit service: the append path, the auditors' Service and
// the denial recorder of the shared authorisation middleware.
type Log struct {
	cfg     Config
	db      *db.DB
	logger  log.Logger
	signer  note.Signer
	vkey    string
	rec     event.Recorder
	metrics *metrics
	alerts  *detector
	cp      *Checkpointer

	macKey []byte // keys each entry's MAC (leafmac.go)

	mu       sync.Mutex  // serialises appends in this process
	written  writtenTree // the log as this process's last append left it (frontier.go)
	macsFrom bool        // the key directory records where MACs begin
}

var _ Service = (*Log)(nil)

// New opens the audit log over cfg.DB, loading (or creating) the
// checkpoint signing key.
func New(cfg Config) (*Log, error) {
	if cfg.DB == nil || cfg.Keys == nil {
		return nil, errors.New("audit: a database and a key directory are required")
	}
	if cfg.Origin == "" {
		cfg.Origin = DefaultOrigin
	}
	if cfg.Logger == nil {
		cfg.Logger = log.NewNopLogger()
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.CheckpointEvery <= 0 {
		cfg.CheckpointEvery = 1000
	}
	if cfg.CheckpointInterval <= 0 {
		cfg.CheckpointInterval = 10 * time.Second
	}
	if cfg.DenialThreshold <= 0 {
		cfg.DenialThreshold = 20
	}
	if cfg.BulkReadThreshold <= 0 {
		cfg.BulkReadThreshold = 200
	}
	if cfg.AlertWindow <= 0 {
		cfg.AlertWindow = 5 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Registerer == nil {
		cfg.Registerer = prometheus.NewRegistry()
	}
	for _, k := range cfg.WitnessKeys {
		if _, err := note.NewVerifier(k); err != nil {
			return nil, fmt.Errorf("audit: witness key %q: %w", k, err)
		}
	}
	signer, vkey, err := loadSigner(cfg.Keys, cfg.Origin)
	if err != nil {
		return nil, err
	}
	m, err := newMetrics(cfg.Registerer)
	if err != nil {
		return nil, err
	}
	l := &Log{
		cfg: cfg, db: cfg.DB, logger: cfg.Logger, signer: signer, vkey: vkey,
		rec:     event.Recorder{ClientKey: cfg.Keys.Subkey(keys.PurposeClientAddress), Now: cfg.Now},
		metrics: m,
		alerts:  newDetector(cfg.AlertWindow, cfg.DenialThreshold, cfg.BulkReadThreshold),
		macKey:  cfg.Keys.Subkey(keys.PurposeAuditLeafMAC),
	}
	l.cp = &Checkpointer{l: l, kick: make(chan struct{}, 1)}
	return l, nil
}

// Checkpointer returns the log's checkpointer; run it with Run.
func (l *Log) Checkpointer() *Checkpointer { return l.cp }

// VerifierKey returns the checkpoint verifier key (note format).
func (l *Log) VerifierKey() string { return l.vkey }

func (l *Log) now() time.Time { return l.cfg.Now().UTC().Truncate(time.Microsecond) }

// auditRead appends the auditor's own read to the log. Nothing is returned
// to the caller unless it succeeded.
func (l *Log) auditRead(ctx context.Context, action, objectType, objectID string) error {
	e := l.rec.New(ctx, action, objectType, objectID, event.Allowed)
	if err := l.appendOwn(ctx, e); err != nil {
		return fmt.Errorf("%w (%w)", kit.ErrUnavailable, err)
	}
	return nil
}

// RecordDenial implements authz.DenialRecorder: a denied request is
// appended to the log as object.action with outcome denied.
func (l *Log) RecordDenial(ctx context.Context, object, action, objectID string) error {
	return l.appendOwn(ctx, l.rec.New(ctx, object+"."+action, object, objectID, event.Denied))
}

const maxLimit = 1000

// Events implements Service.
func (l *Log) Events(ctx context.Context, q Query) (EventPage, error) {
	if err := validQuery(&q); err != nil {
		return EventPage{}, err
	}
	es, err := queryEntries(ctx, l.db, q)
	if err != nil {
		return EventPage{}, err
	}
	if err := l.auditRead(ctx, "audit.events.read", q.ObjectType, q.ObjectID); err != nil {
		return EventPage{}, err
	}
	return page(es, q.Limit), nil
}

// Alerts implements Service.
func (l *Log) Alerts(ctx context.Context, q Query) (EventPage, error) {
	if err := validQuery(&q); err != nil {
		return EventPage{}, err
	}
	q.actions = alertActions
	es, err := queryEntries(ctx, l.db, q)
	if err != nil {
		return EventPage{}, err
	}
	if err := l.auditRead(ctx, "audit.alerts.read", "", ""); err != nil {
		return EventPage{}, err
	}
	return page(es, q.Limit), nil
}

func page(es []Entry, limit int) EventPage {
	p := EventPage{Events: es}
	if p.Events == nil {
		p.Events = []Entry{}
	}
	if len(es) == limit {
		next := es[len(es)-1].Index
		p.Next = &next
	}
	return p
}

func validQuery(q *Query) error {
	if q.Limit == 0 {
		q.Limit = 100
	}
	if q.Limit < 0 || q.Limit > maxLimit {
		return ErrBadQuery
	}
	for _, v := range []string{q.ObjectType, q.ObjectID, q.Actor, q.Org} {
		if !codeRe.MatchString(v) {
			return ErrBadQuery
		}
	}
	if q.Action != "" && !actionRe.MatchString(q.Action) {
		return ErrBadQuery
	}
	if q.Outcome != "" && q.Outcome != string(event.Allowed) && q.Outcome != string(event.Denied) && q.Outcome != string(event.Failed) {
		return ErrBadQuery
	}
	return nil
}

// Proof implements Service.
func (l *Log) Proof(ctx context.Context, id string, size int64) (InclusionProof, error) {
	if !idRe.MatchString(id) {
		return InclusionProof{}, ErrNotFound
	}
	e, err := entryByID(ctx, l.db, id)
	if err != nil {
		return InclusionProof{}, err
	}
	var cpNote string
	if size == 0 {
		cp, err := latestCheckpoint(ctx, l.db)
		if err != nil {
			return InclusionProof{}, err
		}
		size, cpNote = cp.Size, string(l.withCosignatures(cp).Note)
	} else if cp, err := checkpointAt(ctx, l.db, size); err == nil {
		cpNote = string(l.withCosignatures(cp).Note)
	}
	n, err := treeSize(ctx, l.db)
	if err != nil {
		return InclusionProof{}, err
	}
	if size < 0 || size > n {
		return InclusionProof{}, ErrBadSize
	}
	if e.Index >= size {
		return InclusionProof{}, ErrNotCovered
	}
	r := dbHashReader(ctx, l.db)
	root, err := tlog.TreeHash(size, r)
	if err != nil {
		return InclusionProof{}, fmt.Errorf("audit: proof: %w", err)
	}
	p, err := tlog.ProveRecord(size, e.Index, r)
	if err != nil {
		return InclusionProof{}, fmt.Errorf("audit: proof: %w", err)
	}
	if err := l.auditRead(ctx, "audit.proof.read", "audit_event", id); err != nil {
		return InclusionProof{}, err
	}
	return InclusionProof{Event: e, Size: size, Root: root[:], Proof: hashBytes(p), Checkpoint: cpNote}, nil
}

// Consistency implements Service.
func (l *Log) Consistency(ctx context.Context, from, to int64) (ConsistencyProof, error) {
	n, err := treeSize(ctx, l.db)
	if err != nil {
		return ConsistencyProof{}, err
	}
	if from <= 0 || from > to || to > n {
		return ConsistencyProof{}, ErrBadSize
	}
	proof, err := l.proveConsistency(ctx, from, to)
	if err != nil {
		return ConsistencyProof{}, err
	}
	if err := l.auditRead(ctx, "audit.consistency.read", "", ""); err != nil {
		return ConsistencyProof{}, err
	}
	return proof, nil
}

// proveConsistency builds the proof between two sizes the caller checked.
func (l *Log) proveConsistency(ctx context.Context, from, to int64) (ConsistencyProof, error) {
	r := dbHashReader(ctx, l.db)
	fromRoot, err := tlog.TreeHash(from, r)
	if err != nil {
		return ConsistencyProof{}, fmt.Errorf("audit: consistency: %w", err)
	}
	toRoot, err := tlog.TreeHash(to, r)
	if err != nil {
		return ConsistencyProof{}, fmt.Errorf("audit: consistency: %w", err)
	}
	p, err := tlog.ProveTree(to, from, r)
	if err != nil {
		return ConsistencyProof{}, fmt.Errorf("audit: consistency: %w", err)
	}
	return ConsistencyProof{From: from, To: to, FromRoot: fromRoot[:], ToRoot: toRoot[:], Proof: hashBytes(p)}, nil
}

// LatestCheckpoint implements Service.
func (l *Log) LatestCheckpoint(ctx context.Context) ([]byte, error) {
	cp, err := latestCheckpoint(ctx, l.db)
	if err != nil {
		return nil, err
	}
	if err := l.auditRead(ctx, "audit.checkpoint.read", "", ""); err != nil {
		return nil, err
	}
	return l.withCosignatures(cp).Note, nil
}

func hashBytes(hs []tlog.Hash) [][]byte {
	out := make([][]byte, len(hs))
	for i := range hs {
		out[i] = hs[i][:]
	}
	return out
}
