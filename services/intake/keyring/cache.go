package keyring

import (
	"sync"

	"github.com/nrm-project/nrm/pkg/seal"
)

// cache remembers what the key ring never changes: that an organisation
// has a key (a rotation always leaves one active), the parsed recipient of
// each version, and unwrapped identities. The active version it holds is a
// hint only: writers check it in their transaction. An identity is served
// only for a version the same query found not destroyed, and versions below
// an organisation's oldest live one are dropped when seen.
type cache struct {
	mu         sync.Mutex
	active     map[string]int
	recipients map[orgVersion]seal.Recipient
	identities map[orgVersion]*seal.OrgIdentity
}

type orgVersion struct {
	org     string
	version int
}

// activeHint returns the version last seen active for org.
func (c *cache) activeHint(org string) (int, seal.Recipient, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.active[org]
	if !ok {
		return 0, seal.Recipient{}, false
	}
	r, ok := c.recipients[orgVersion{org, v}]
	return v, r, ok
}

// setActive records version as org's active one, with its recipient.
func (c *cache) setActive(org string, version int, r seal.Recipient) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.active == nil {
		c.active = map[string]int{}
		c.recipients = map[orgVersion]seal.Recipient{}
	}
	if version >= c.active[org] {
		c.active[org] = version
	}
	c.recipients[orgVersion{org, version}] = r
}

func (c *cache) recipient(org string, version int) (seal.Recipient, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.recipients[orgVersion{org, version}]
	return r, ok
}

func (c *cache) hasKey(org string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.active[org]
	return ok
}

// identity returns the cached identity of (org, version) and forgets
// every version of org older than oldestLive (0: unknown, keep).
func (c *cache) identity(org string, version, oldestLive int) (*seal.OrgIdentity, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if oldestLive > 0 {
		for k := range c.identities {
			if k.org == org && k.version < oldestLive {
				delete(c.identities, k)
			}
		}
	}
	id, ok := c.identities[orgVersion{org, version}]
	return id, ok
}

func (c *cache) putIdentity(org string, version int, id *seal.OrgIdentity) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.identities == nil {
		c.identities = map[orgVersion]*seal.OrgIdentity{}
	}
	c.identities[orgVersion{org, version}] = id
}
