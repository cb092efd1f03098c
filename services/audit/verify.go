package audit

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/keys"
)

// VerifyOptions says what Verify checks the database against.
type VerifyOptions struct {
	// VerifierKey is the checkpoint verifier key; when empty it is read
	// from Keys.
	VerifierKey string
	Keys        *keys.Dir
	// CheckpointDir holds checkpoint copies written outside the database.
	CheckpointDir string
	// Trusted holds checkpoint notes kept elsewhere (nrm audit verify
	// --trusted FILE): the log must contain each of them.
	Trusted [][]byte
	// MACKey keys the entries' MACs; when nil it is derived from Keys, and
	// without either the MACs are not checked.
	MACKey []byte
	// MACsFrom is the index from which every entry must carry a MAC; when
	// nil it is read from Keys (MACsFromFile).
	MACsFrom *int64
}

// VerifyReport describes an intact log.
type VerifyReport struct {
	Size        int64     // entries
	Root        tlog.Hash // root of the whole tree
	Checkpoints int       // stored checkpoints checked
	Files       int       // checkpoint files checked
	Trusted     int       // trusted checkpoints checked
	MACs        int64     // entry MACs checked
	MACsFrom    int64     // index from which every entry must carry a MAC; -1 when unknown
}

// TamperError names the first entry that cannot be shown to be intact:
// the index of the first event whose data or stored hashes no longer
// match, the first missing index when the log is shorter than a signed
// checkpoint, or, when a tree root differs from a signed checkpoint, the
// size of the last tree that still matched one (the change lies between).
type TamperError struct {
	Index  int64
	Reason string
}

func (e *TamperError) Error() string {
	return fmt.Sprintf("audit: log tampered at index %d: %s", e.Index, e.Reason)
}

// claim is a signed statement that the tree of size has root.
type claim struct {
	size   int64
	root   tlog.Hash
	from   string // where it came from, for the report
	badSig bool
}

// Verify recomputes every leaf hash and the whole tree from the rows,
// compares them with the stored hashes, and checks every signed checkpoint
// (stored, in CheckpointDir, trusted) against the recomputed tree. It
// returns a *TamperError naming the first entry that does not fit.
func Verify(ctx context.Context, d *db.DB, opts VerifyOptions) (VerifyReport, error) {
	var rep VerifyReport
	vkey := opts.VerifierKey
	if vkey == "" {
		if opts.Keys == nil {
			return rep, errors.New("audit: verify: no verifier key")
		}
		var err error
		if vkey, err = VerifierKey(opts.Keys); err != nil {
			return rep, err
		}
	}
	claims, err := collectClaims(ctx, d, vkey, opts, &rep)
	if err != nil {
		return rep, err
	}
	macs, err := newMACCheck(opts)
	if err != nil {
		return rep, err
	}
	rep.MACsFrom = macs.from
	// The log is read as it stood once the claims were collected: events
	// and hashes come from two queries, and a live log grows between them
	// (a tail seen by one and not the other read as tampering). Every
	// claim is of a size already committed, so it lies within.
	size, err := treeSize(ctx, d)
	if err != nil {
		return rep, fmt.Errorf("audit: verify: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	hashes := streamHashes(ctx, d, tlog.StoredHashCount(size))
	rows, err := eventsWithMACs(ctx, d, size)
	if err != nil {
		return rep, fmt.Errorf("audit: verify: read events: %w", err)
	}
	defer rows.Close()

	var (
		k, lastGood int64
		stack       []tlog.Hash
		lh          leafHasher
		raw         [leafFieldCount]sql.RawBytes
		f           [leafFieldCount][]byte
		at          time.Time
		idx, seq    int64
		mac         sql.RawBytes
		next        = hashes.next
	)
	dest := []any{&idx, &at, &seq}
	for i := range raw {
		dest = append(dest, &raw[i])
	}
	dest = append(dest, &mac)
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return rep, fmt.Errorf("audit: verify: read events: %w", err)
		}
		if idx != k {
			return rep, &TamperError{Index: k, Reason: "entry missing"}
		}
		for i := range raw {
			f[i] = raw[i]
		}
		h := lh.hash(at, seq, &f)
		if reason := macs.check(k, lh.buf[1:], mac); reason != "" {
			return rep, &TamperError{Index: k, Reason: reason}
		}
		stored, ok, err := next()
		if err != nil {
			return rep, err
		}
		if !ok || stored != h {
			return rep, &TamperError{Index: k, Reason: "entry does not match its stored leaf hash"}
		}
		stack = append(stack, h)
		for j := k; j&1 == 1; j >>= 1 {
			top := len(stack)
			h = tlog.NodeHash(stack[top-2], stack[top-1])
			stack = append(stack[:top-2], h)
			stored, ok, err := next()
			if err != nil {
				return rep, err
			}
			if !ok || stored != h {
				return rep, &TamperError{Index: k, Reason: "stored tree hash differs from the entries"}
			}
		}
		k++
		if len(claims) > 0 && claims[0].size == k {
			root := foldRoot(stack)
			for len(claims) > 0 && claims[0].size == k {
				c := claims[0]
				claims = claims[1:]
				if c.badSig {
					return rep, &TamperError{Index: lastGood, Reason: c.from + ": bad signature"}
				}
				if root != c.root {
					return rep, &TamperError{Index: lastGood, Reason: c.from + ": root differs from the tree of that size"}
				}
			}
			lastGood = k
		}
	}
	if err := rows.Err(); err != nil {
		return rep, fmt.Errorf("audit: verify: read events: %w", err)
	}
	if _, ok, err := next(); err != nil {
		return rep, err
	} else if ok {
		return rep, &TamperError{Index: k, Reason: "stored hashes beyond the last entry"}
	}
	if len(claims) > 0 {
		c := claims[0]
		return rep, &TamperError{Index: k, Reason: fmt.Sprintf("log holds %d entries but %s has %d", k, c.from, c.size)}
	}
	rep.Size = k
	rep.MACs = macs.checked
	if k > 0 {
		rep.Root = foldRoot(stack)
	}
	return rep, nil
}

// foldRoot returns the RFC 6962 root from the roots of the complete
// subtrees, largest first.
func foldRoot(stack []tlog.Hash) tlog.Hash {
	root := stack[len(stack)-1]
	for i := len(stack) - 2; i >= 0; i-- {
		root = tlog.NodeHash(stack[i], root)
	}
	return root
}

func collectClaims(ctx context.Context, d *db.DB, vkey string, opts VerifyOptions, rep *VerifyReport) ([]claim, error) {
	var claims []claim
	add := func(msg []byte, from string) {
		cp, err := OpenCheckpoint(msg, vkey)
		if err != nil {
			// A bad signature: place the claim at the size it says, if any.
			var size int64
			if lines := strings.SplitN(string(msg), "\n", 3); len(lines) > 2 {
				size, _ = strconv.ParseInt(lines[1], 10, 64)
			}
			claims = append(claims, claim{size: max(size, 1), from: from, badSig: true})
			return
		}
		claims = append(claims, claim{size: cp.Size, root: cp.Root, from: from})
	}
	rows, err := allCheckpoints(ctx, d)
	if err != nil {
		return nil, fmt.Errorf("audit: verify: read checkpoints: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			size int64
			root []byte
			msg  string
		)
		if err := rows.Scan(&size, &root, &msg); err != nil {
			return nil, fmt.Errorf("audit: verify: read checkpoints: %w", err)
		}
		from := "stored checkpoint " + strconv.FormatInt(size, 10)
		add([]byte(msg), from)
		c := &claims[len(claims)-1]
		if !c.badSig && (c.size != size || !bytes.Equal(c.root[:], root)) {
			c.badSig, c.size = true, size
		}
		rep.Checkpoints++
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit: verify: read checkpoints: %w", err)
	}
	if opts.CheckpointDir != "" {
		ents, err := os.ReadDir(opts.CheckpointDir)
		if err != nil {
			return nil, fmt.Errorf("audit: verify: checkpoint dir: %w", err)
		}
		for _, e := range ents {
			if !e.Type().IsRegular() || strings.HasPrefix(e.Name(), ".") {
				continue
			}
			msg, err := os.ReadFile(filepath.Join(opts.CheckpointDir, e.Name()))
			if err != nil {
				return nil, fmt.Errorf("audit: verify: checkpoint file: %w", err)
			}
			add(msg, "checkpoint file "+e.Name())
			rep.Files++
		}
	}
	for i, msg := range opts.Trusted {
		cp, err := OpenCheckpoint(msg, vkey)
		if err != nil {
			return nil, fmt.Errorf("audit: verify: trusted checkpoint %d: %w", i+1, err)
		}
		claims = append(claims, claim{size: cp.Size, root: cp.Root, from: "trusted checkpoint of size " + strconv.FormatInt(cp.Size, 10)})
		rep.Trusted++
	}
	slices.SortStableFunc(claims, func(a, b claim) int { return cmp.Compare(a.size, b.size) })
	return claims, nil
}

// hashStream reads the stored hashes in index order on its own connection,
// in chunks, while the events are hashed.
type hashStream struct {
	ch   chan hashChunk
	cur  hashChunk
	pos  int
	done bool
}

type hashChunk struct {
	first int64
	hs    []tlog.Hash
	err   error
}

func streamHashes(ctx context.Context, d *db.DB, count int64) *hashStream {
	s := &hashStream{ch: make(chan hashChunk, 4)}
	go func() {
		defer close(s.ch)
		send := func(c hashChunk) bool {
			select {
			case s.ch <- c:
				return true
			case <-ctx.Done():
				return false
			}
		}
		rows, err := allHashes(ctx, d, count)
		if err != nil {
			send(hashChunk{err: fmt.Errorf("audit: verify: read hashes: %w", err)})
			return
		}
		defer rows.Close()
		const size = 8192
		var (
			want int64
			c    = hashChunk{hs: make([]tlog.Hash, 0, size)}
			idx  int64
			h    sql.RawBytes
		)
		for rows.Next() {
			if err := rows.Scan(&idx, &h); err != nil {
				send(hashChunk{err: fmt.Errorf("audit: verify: read hashes: %w", err)})
				return
			}
			if idx != want || len(h) != tlog.HashSize {
				break // the stream ends here; the consumer finds the mismatch
			}
			c.hs = append(c.hs, tlog.Hash(h))
			want++
			if len(c.hs) == size {
				if !send(c) {
					return
				}
				c = hashChunk{first: want, hs: make([]tlog.Hash, 0, size)}
			}
		}
		if err := rows.Err(); err != nil {
			send(hashChunk{err: fmt.Errorf("audit: verify: read hashes: %w", err)})
			return
		}
		if len(c.hs) > 0 {
			send(c)
		}
	}()
	return s
}

// next returns the next stored hash in index order; ok is false after the
// last one (or at the first missing index).
func (s *hashStream) next() (tlog.Hash, bool, error) {
	for s.pos >= len(s.cur.hs) {
		if s.done {
			return tlog.Hash{}, false, nil
		}
		c, ok := <-s.ch
		if !ok {
			s.done = true
			return tlog.Hash{}, false, nil
		}
		if c.err != nil {
			return tlog.Hash{}, false, c.err
		}
		s.cur, s.pos = c, 0
	}
	h := s.cur.hs[s.pos]
	s.pos++
	return h, true, nil
}
