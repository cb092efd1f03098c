package outbox

import (
	"sync"
	"time"
)

// The outbox's indexes keep an entry for every version of a row until the
// table is vacuumed: a message is written and then numbered, and a scan of
// the unnumbered index from the start of a topic steps over every message
// numbered since the last vacuum (about 60 ms a scan after a minute of
// registrations at 700/s). The relay remembers where that scan may start.
const (
	// stragglerWindow: a message whose transaction commits longer than
	// this after it took its position is numbered by the next full scan,
	// after messages written later than it.
	stragglerWindow = 2 * time.Second
	// fullScanEvery spaces the scans for unnumbered messages from the start.
	fullScanEvery = 10 * time.Second
)

// cursors are the relay's starting points, per topic.
type cursors struct {
	mu     sync.Mutex
	topics map[string]*cursor
}

type cursor struct {
	// marks: the highest position numbered so far, and when, oldest first.
	marks    []posMark
	lastFull time.Time
}

type posMark struct {
	at  time.Time
	pos int64
}

func (c *cursors) get(topic string) *cursor {
	if c.topics == nil {
		c.topics = map[string]*cursor{}
	}
	t, ok := c.topics[topic]
	if !ok {
		t = &cursor{}
		c.topics[topic] = t
	}
	return t
}

// unnumberedFrom returns the position after which topic's unnumbered
// messages are looked for: the highest one numbered stragglerWindow ago,
// or 0 (full) every fullScanEvery.
func (c *cursors) unnumberedFrom(topic string, now time.Time) (from int64, full bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.get(topic)
	if now.Sub(t.lastFull) >= fullScanEvery {
		return 0, true
	}
	for _, m := range t.marks {
		if now.Sub(m.at) < stragglerWindow {
			break
		}
		from = m.pos
	}
	return from, false
}

// numbered records a committed numbering of topic up to position pos (0:
// none found), and a full scan's time.
func (c *cursors) numbered(topic string, now time.Time, pos int64, full bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.get(topic)
	if full {
		t.lastFull = now
	}
	if n := len(t.marks); n > 0 {
		pos = max(pos, t.marks[n-1].pos)
	}
	if pos == 0 {
		return
	}
	t.marks = append(t.marks, posMark{at: now, pos: pos})
	// Keep the newest mark older than the window and every newer one.
	keep := 0
	for i, m := range t.marks {
		if now.Sub(m.at) >= stragglerWindow {
			keep = i
		}
	}
	t.marks = t.marks[keep:]
}
