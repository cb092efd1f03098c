package stats

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
)

// The nationality table names the most frequent nationalities and groups
// the rest. Each case counts under one nationality (the first listed), so
// the group's records are the disjoint union of its nationalities'
// records: its count is the sum of theirs and its cell key the sum of
// their cell keys, a cell of its own perturbed like any other. Which
// nationalities are named is decided on their perturbed totals, and only
// those published (not suppressed) can be named: a rare nationality is
// never named, nor its presence revealed, since the grouped cell and the
// grid show no code below the threshold.

// topNationalities returns the nationalities to name, most frequent
// first: those whose perturbed total over age groups (unit cases) is
// published, at most NationalitiesByName of them.
func topNationalities(d Disclosure, rows []cellRow) []string {
	type ranked struct {
		code string
		v    int64
	}
	var rs []ranked
	for _, r := range rows {
		parts := strings.Split(r.Cell, cellSep)
		if len(parts) != 3 || parts[0] != unitCases || parts[2] != total || parts[1] == total || parts[1] == unknown {
			continue
		}
		if p := d.Publish(r.N, r.KeySum); !p.Suppressed {
			rs = append(rs, ranked{parts[1], p.Value})
		}
	}
	slices.SortFunc(rs, func(a, b ranked) int { return cmp.Or(cmp.Compare(b.v, a.v), cmp.Compare(a.code, b.code)) })
	out := []string{}
	for _, r := range rs[:min(len(rs), d.NationalitiesByName)] {
		out = append(out, r.code)
	}
	return out
}

// groupNationalities merges the cells of nationalities not in top into
// "other".
func groupNationalities(rows []cellRow, top []string) []cellRow {
	merged := map[string]cellRow{}
	var order []string
	for _, r := range rows {
		parts := strings.Split(r.Cell, cellSep)
		if len(parts) == 3 && parts[1] != total && parts[1] != unknown && !slices.Contains(top, parts[1]) {
			parts[1] = nationalityOther
		}
		cell := strings.Join(parts, cellSep)
		m, ok := merged[cell]
		if !ok {
			order = append(order, cell)
		}
		m.Cell, m.N, m.KeySum = cell, m.N+r.N, m.KeySum+r.KeySum
		merged[cell] = m
	}
	out := make([]cellRow, 0, len(order))
	for _, c := range order {
		out = append(out, merged[c])
	}
	return out
}

// withNationalities returns the table with top as the nationality codes,
// before the group and unknown.
func withNationalities(info TableInfo, top []string) TableInfo {
	info.Dimensions = slices.Clone(info.Dimensions)
	info.Dimensions[0].Codes = append(slices.Clone(top), nationalityOther, unknown)
	return info
}

// publishedNationalities returns the nationalities the latest snapshot
// release of period names: a differential-privacy answer names the same
// ones (public already), or none when the period was never released.
func publishedNationalities(ctx context.Context, q queryer, period string) ([]string, error) {
	name, err := latestSnapshot(ctx, q, period)
	if err != nil || name == "" {
		return []string{}, err
	}
	t, err := storedAnswer(ctx, q, name, TableCasesByNationality, period)
	if errors.Is(err, ErrWithheld) {
		return []string{}, nil
	}
	if err != nil {
		return nil, err
	}
	out := []string{}
	for _, c := range t.Cells {
		if v := c.Dims[0]; v != total && v != unknown && v != nationalityOther && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out, nil
}
