package witness

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/nrm-project/nrm/services/audit"
)

// Errors of Add. A *ConflictError says the log's idea of the witness's
// size is stale.
var (
	ErrBadSignature = errors.New("witness: the checkpoint is not signed by the log's key")
	ErrFork         = errors.New("witness: the checkpoint contradicts the witnessed tree (a fork)")
	ErrBadRequest   = errors.New("witness: malformed request")
)

// ConflictError answers a request whose old size is not the witness's.
type ConflictError struct{ Size int64 }

func (e *ConflictError) Error() string {
	return fmt.Sprintf("witness: the witnessed size is %d", e.Size)
}

// Config is what a witness needs.
type Config struct {
	LogKey   string      // the log's checkpoint verifier key (note format)
	Signer   note.Signer // the witness's own key
	StateDir string      // its state: the last cosigned checkpoint, and fork evidence
	Now      func() time.Time
}

// Witness cosigns the checkpoints of one log.
type Witness struct {
	cfg    Config
	mu     sync.Mutex
	latest audit.Checkpoint // Size 0: nothing witnessed yet
}

const latestFile = "latest"

// New opens the witness's state, refusing a stored checkpoint the log's
// key does not verify.
func New(cfg Config) (*Witness, error) {
	if _, err := note.NewVerifier(cfg.LogKey); err != nil {
		return nil, fmt.Errorf("witness: log key: %w", err)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if err := os.MkdirAll(filepath.Join(cfg.StateDir, "forks"), 0o700); err != nil {
		return nil, fmt.Errorf("witness: state: %w", err)
	}
	w := &Witness{cfg: cfg}
	msg, err := os.ReadFile(filepath.Join(cfg.StateDir, latestFile))
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("witness: state: %w", err)
	default:
		cp, err := audit.OpenCheckpoint(msg, cfg.LogKey)
		if err != nil {
			return nil, fmt.Errorf("witness: stored checkpoint: %w", err)
		}
		w.latest = cp
	}
	return w, nil
}

// Latest returns the last cosigned checkpoint (nil: none yet).
func (w *Witness) Latest() []byte {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.latest.Note
}

// Add checks the signed checkpoint msg against the witnessed one, whose
// size the log gives as oldSize, with proof the consistency proof from
// oldSize to msg's size; it returns msg cosigned by the witness.
func (w *Witness) Add(oldSize int64, proof []tlog.Hash, msg []byte) ([]byte, error) {
	cp, err := audit.OpenCheckpoint(msg, w.cfg.LogKey)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	old := w.latest
	switch {
	case oldSize != old.Size:
		return nil, &ConflictError{Size: old.Size}
	case cp.Size < old.Size:
		return nil, fmt.Errorf("%w: size %d is older than the witnessed %d", ErrBadRequest, cp.Size, old.Size)
	case cp.Size == old.Size && cp.Root != old.Root:
		w.keepEvidence(old, cp)
		return nil, fmt.Errorf("%w: two trees of %d entries with different roots", ErrFork, cp.Size)
	case old.Size > 0 && cp.Size > old.Size:
		if err := tlog.CheckTree(proof, cp.Size, cp.Root, old.Size, old.Root); err != nil {
			w.keepEvidence(old, cp)
			return nil, fmt.Errorf("%w: the tree of %d entries does not extend the witnessed %d: %v", ErrFork, cp.Size, old.Size, err)
		}
	}
	// A first checkpoint is trusted as it comes: later ones must extend it.
	cosigned, err := w.cosign(msg)
	if err != nil {
		return nil, err
	}
	if cp.Size > old.Size || old.Size == 0 {
		cp.Note = cosigned
		if err := writeAtomic(filepath.Join(w.cfg.StateDir, latestFile), cosigned); err != nil {
			return nil, fmt.Errorf("witness: state: %w", err)
		}
		w.latest = cp
	}
	return cosigned, nil
}

// cosign adds the witness's signature to the note, keeping the log's.
func (w *Witness) cosign(msg []byte) ([]byte, error) {
	v, err := note.NewVerifier(w.cfg.LogKey)
	if err != nil {
		return nil, err
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	// Only the log's signature is carried over: another signer's line
	// would be vouched for by nobody here.
	n.UnverifiedSigs = nil
	out, err := note.Sign(n, w.cfg.Signer)
	if err != nil {
		return nil, fmt.Errorf("witness: cosign: %w", err)
	}
	return out, nil
}

// keepEvidence stores both checkpoints of a fork: signed by the log's key,
// they prove it showed two histories.
func (w *Witness) keepEvidence(witnessed, offered audit.Checkpoint) {
	name := strconv.FormatInt(offered.Size, 10) + "-" + strconv.FormatInt(w.cfg.Now().UnixNano(), 10)
	body := append(append(append([]byte{}, witnessed.Note...), "\n---\n\n"...), offered.Note...)
	_ = writeAtomic(filepath.Join(w.cfg.StateDir, "forks", name), body)
}

func writeAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
