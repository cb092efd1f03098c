package guard

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"
)

// Argon2Params are the argon2id parameters of new password hashes. Stored
// hashes carry their own parameters (PHC string), so these can be raised
// without invalidating existing passwords.
type Argon2Params struct {
	Time    uint32 // passes
	Memory  uint32 // KiB
	Threads uint8
}

// DefaultArgon2 follows RFC 9106's second recommended option, with more
// passes: 64 MiB, 3 passes, 2 lanes.
var DefaultArgon2 = Argon2Params{Time: 3, Memory: 64 * 1024, Threads: 2}

// Password length limits. The upper bound keeps hashing cost independent of
// what a client sends.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 1024
)

const (
	saltLen = 16
	keyLen  = 32
	// hashWait is how long a login waits for a hashing slot before giving
	// up with 503: waiting longer only piles up memory under a flood.
	hashWait = 3 * time.Second
)

// Hasher bounds concurrent argon2id computations (each one holds Memory
// KiB) and shares them fairly between client addresses (fairSlots).
type Hasher struct {
	params Argon2Params
	slots  *fairSlots
	wait   time.Duration
	dummy  string // hash of a random password, checked for unknown emails
}

// hashQueuePerAddress is how many hashes one client address may have
// waiting; more are refused at once.
const hashQueuePerAddress = 4

// Order decides which waiting client address gets a freed hashing slot
// (fairSlots); a nil field treats every address alike.
type Order struct {
	// Priority: lower goes first (the address's recent failed logins).
	Priority func(addr string) int
	// Clean: an address still within its free failed tries, which may
	// take the slot kept for such addresses.
	Clean func(addr string) bool
	// Now is the clock of the 429's wait (nil: time.Now).
	Now func() time.Time
}

// NewHasher returns a Hasher of p (zero: DefaultArgon2) that runs at most
// slots hashes at once (0: GOMAXPROCS), handing slots out in order o.
func NewHasher(p Argon2Params, slots int, o Order) (*Hasher, error) {
	if p == (Argon2Params{}) {
		p = DefaultArgon2
	}
	if p.Time == 0 || p.Memory < 8 || p.Threads == 0 {
		return nil, errors.New("bad argon2 parameters")
	}
	if slots <= 0 {
		// Each hash runs its own lanes (Threads) in parallel: one per
		// processor keeps the cores busy, and a slot frees sooner than
		// with more hashes sharing them.
		slots = runtime.GOMAXPROCS(0)
	}
	h := &Hasher{params: p, slots: newFairSlots(slots, hashQueuePerAddress), wait: hashWait}
	// One slot stays ready for clean addresses, when there is more than one.
	h.slots.reserved = min(1, slots-1)
	h.slots.priority, h.slots.clean = o.Priority, o.Clean
	if o.Now != nil {
		h.slots.now = o.Now
	}
	dummy, err := h.Hash(context.Background(), "", rand.Text())
	if err != nil {
		return nil, err
	}
	h.dummy = dummy
	return h, nil
}

// acquire takes a hashing slot in turn with the other client addresses
// (addr is the caller's; "" for the command line).
func (h *Hasher) acquire(ctx context.Context, addr string) error {
	return h.slots.acquire(ctx, addr, h.wait)
}

func (h *Hasher) release() { h.slots.release() }

// Dummy is the hash of a random password, checked for an unknown email so
// that it costs and answers like a known one.
func (h *Hasher) Dummy() string { return h.dummy }

// Hash returns the PHC string of password, hashed in addr's turn (addr is
// the client's address; "" for the command line).
func (h *Hasher) Hash(ctx context.Context, addr, password string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("identity: salt: %w", err)
	}
	if err := h.acquire(ctx, addr); err != nil {
		return "", err
	}
	defer h.release()
	p := h.params
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, keyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

var b64 = base64.RawStdEncoding

// ErrBadHash: a stored hash that is not a sane argon2id PHC string.
var ErrBadHash = errors.New("identity: malformed password hash")

// Verify reports whether password matches the PHC string phc; ErrBadHash
// when phc is not one this package accepts.
func (h *Hasher) Verify(ctx context.Context, addr, phc, password string) (bool, error) {
	p, salt, want, err := ParsePHC(phc)
	if err != nil {
		return false, err
	}
	if err := h.acquire(ctx, addr); err != nil {
		return false, err
	}
	defer h.release()
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// ParsePHC splits a PHC string into its parameters, salt and key.
func ParsePHC(phc string) (Argon2Params, []byte, []byte, error) {
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return Argon2Params{}, nil, nil, ErrBadHash
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return Argon2Params{}, nil, nil, ErrBadHash
	}
	var p Argon2Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return Argon2Params{}, nil, nil, ErrBadHash
	}
	// A planted hash must not make a login allocate gigabytes.
	if p.Time == 0 || p.Time > 16 || p.Memory < 8 || p.Memory > 1<<20 || p.Threads == 0 {
		return Argon2Params{}, nil, nil, ErrBadHash
	}
	salt, err1 := b64.DecodeString(parts[4])
	key, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(key) < 16 || len(key) > 64 {
		return Argon2Params{}, nil, nil, ErrBadHash
	}
	return p, salt, key, nil
}
