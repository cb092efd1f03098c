package seal

import (
	"crypto/rand"
	"errors"
	"fmt"
	"slices"

	"golang.org/x/crypto/chacha20poly1305"

	"github.com/nrm-project/nrm/pkg/internal/wire"
)

// group is one retention class's grants inside a wrap payload.
type group struct {
	class  string
	locked bool
	body   []byte // plain grant list, or nonce | AEAD(grant list)
}

func encodeGrants(grants []KeyGrant, c wrapConfig) ([]byte, error) {
	if len(grants) == 0 {
		return nil, ErrNoGrants
	}
	if len(grants) > maxGrants {
		return nil, ErrBadGrant
	}
	seen := make(map[SectionID]bool, len(grants))
	byClass := map[string][]KeyGrant{}
	var classes []string
	for _, g := range grants {
		if g.CaseID == "" || g.Section == "" || g.Version < 0 || g.Version > maxVersion || seen[g.ID()] {
			return nil, ErrBadGrant
		}
		seen[g.ID()] = true
		if _, ok := byClass[g.RetentionClass]; !ok {
			classes = append(classes, g.RetentionClass)
		}
		byClass[g.RetentionClass] = append(byClass[g.RetentionClass], g)
	}
	slices.Sort(classes)
	groups := make([]group, 0, len(classes))
	defer func() {
		for _, g := range groups {
			clear(g.body)
		}
	}()
	for _, class := range classes {
		body := appendGrantList(nil, byClass[class])
		if c.rk == nil {
			groups = append(groups, group{class: class, body: body})
			continue
		}
		locked, err := lockBody(c.rk, class, body)
		clear(body)
		if err != nil {
			return nil, err
		}
		groups = append(groups, group{class: class, locked: true, body: locked})
	}
	return appendGroups(groups), nil
}

func appendGrantList(b []byte, grants []KeyGrant) []byte {
	b = wire.AppendUvarint(b, uint64(len(grants)))
	for _, g := range grants {
		b = wire.AppendString(b, g.CaseID)
		b = wire.AppendString(b, g.Section)
		b = wire.AppendUvarint(b, uint64(g.Version))
		b = append(b, g.Key[:]...)
	}
	return b
}

func appendGroups(groups []group) []byte {
	b := append([]byte(wrapMagic), wrapFormat)
	b = wire.AppendUvarint(b, uint64(len(groups)))
	for _, g := range groups {
		b = wire.AppendString(b, g.class)
		if g.locked {
			b = append(b, grantLocked)
		} else {
			b = append(b, grantPlain)
		}
		b = wire.AppendBytes(b, g.body)
	}
	return b
}

func decodeGroups(payload []byte) ([]group, error) {
	if len(payload) < len(wrapMagic)+1 || string(payload[:len(wrapMagic)]) != wrapMagic || payload[len(wrapMagic)] != wrapFormat {
		return nil, ErrBadWrap
	}
	d := wire.NewReader(payload[len(wrapMagic)+1:])
	n := d.Uvarint()
	if n > maxGrants {
		return nil, ErrBadWrap
	}
	groups := make([]group, 0, n)
	for i := uint64(0); i < n && d.Err() == nil; i++ {
		class := d.String()
		flag := d.Byte()
		body := d.Field()
		if flag != grantLocked && flag != grantPlain {
			return nil, ErrBadWrap
		}
		groups = append(groups, group{class: class, locked: flag == grantLocked, body: body})
	}
	if d.Err() != nil || d.Len() != 0 {
		return nil, ErrBadWrap
	}
	return groups, nil
}

func openGroups(groups []group, c wrapConfig) ([]KeyGrant, error) {
	var grants []KeyGrant
	seen := map[SectionID]bool{}
	for _, g := range groups {
		body := g.body
		if g.locked {
			if c.rk == nil {
				return nil, ErrRetentionKey
			}
			var err error
			body, err = unlockBody(c.rk, g.class, g.body)
			if errorsIsPurged(err) {
				continue
			}
			if err != nil {
				return nil, err
			}
		}
		list, err := decodeGrantList(body, g.class)
		if g.locked {
			clear(body)
		}
		if err != nil {
			return nil, err
		}
		for _, kg := range list {
			if seen[kg.ID()] {
				return nil, ErrBadWrap
			}
			seen[kg.ID()] = true
		}
		grants = append(grants, list...)
	}
	return grants, nil
}

func decodeGrantList(body []byte, class string) ([]KeyGrant, error) {
	d := wire.NewReader(body)
	n := d.Uvarint()
	if n > maxGrants {
		return nil, ErrBadWrap
	}
	list := make([]KeyGrant, 0, n)
	for i := uint64(0); i < n && d.Err() == nil; i++ {
		var g KeyGrant
		g.CaseID, g.Section, g.RetentionClass = d.String(), d.String(), class
		v := d.Uvarint()
		copy(g.Key[:], d.Take(32))
		if v > maxVersion || g.CaseID == "" || g.Section == "" {
			return nil, ErrBadWrap
		}
		g.Version = int(v)
		list = append(list, g)
	}
	if d.Err() != nil || d.Len() != 0 {
		return nil, ErrBadWrap
	}
	return list, nil
}

const maxVersion = 1<<31 - 1

func lockBody(rk RetentionKeys, class string, body []byte) ([]byte, error) {
	key, err := rk.RetentionKey(class)
	if err != nil {
		return nil, fmt.Errorf("retention key: %w", err)
	}
	aead, err := newAEAD(key)
	if err != nil {
		return nil, fmt.Errorf("retention key: %w", err)
	}
	out := make([]byte, chacha20poly1305.NonceSizeX, chacha20poly1305.NonceSizeX+len(body)+aead.Overhead())
	if _, err := rand.Read(out); err != nil {
		return nil, err
	}
	return aead.Seal(out, out, body, wire.AppendString([]byte(retentionAADText), class)), nil
}

func unlockBody(rk RetentionKeys, class string, locked []byte) ([]byte, error) {
	key, err := rk.RetentionKey(class)
	if err != nil {
		return nil, fmt.Errorf("retention key: %w", err)
	}
	aead, err := newAEAD(key)
	if err != nil {
		return nil, fmt.Errorf("retention key: %w", err)
	}
	if len(locked) < chacha20poly1305.NonceSizeX+aead.Overhead() {
		return nil, ErrBadWrap
	}
	body, err := aead.Open(nil, locked[:chacha20poly1305.NonceSizeX], locked[chacha20poly1305.NonceSizeX:], wire.AppendString([]byte(retentionAADText), class))
	if err != nil {
		return nil, ErrBadWrap
	}
	return body, nil
}

func errorsIsPurged(err error) bool { return err != nil && errors.Is(err, ErrPurged) }
