package contract

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

var codeLine = regexp.MustCompile(`^        '(\d{3})': \[(.*)\]$`)

// AddErrorCodes returns the document text src with recs added to their
// operations' x-error-codes lists, which are written one status a line,
// statuses and codes sorted, right after the operationId line:
//
//	operationId: getCase
//	x-error-codes:
//	  '404': [not_found]
//
// The rest of the text is left byte for byte, so merges stay simple.
func AddErrorCodes(src []byte, recs []Record) ([]byte, error) {
	lines := strings.Split(string(src), "\n")
	byOp := map[string][]Record{}
	for _, r := range recs {
		byOp[r.Operation] = append(byOp[r.Operation], r)
	}
	for op, rs := range byOp {
		at := slices.Index(lines, "      operationId: "+op)
		if at < 0 {
			return nil, fmt.Errorf("no operation has operationId %s", op)
		}
		codes := map[int][]string{}
		end := at + 1
		if end < len(lines) && lines[end] == "      "+ErrorCodesKey+":" {
			for end++; end < len(lines); end++ {
				m := codeLine.FindStringSubmatch(lines[end])
				if m == nil {
					break
				}
				st, _ := strconv.Atoi(m[1])
				for c := range strings.SplitSeq(m[2], ",") {
					if c = strings.TrimSpace(c); c != "" {
						codes[st] = append(codes[st], c)
					}
				}
			}
		}
		for _, r := range rs {
			if !slices.Contains(codes[r.Status], r.Code) {
				codes[r.Status] = append(codes[r.Status], r.Code)
			}
		}
		block := []string{"      " + ErrorCodesKey + ":"}
		statuses := make([]int, 0, len(codes))
		for st := range codes {
			statuses = append(statuses, st)
		}
		slices.Sort(statuses)
		for _, st := range statuses {
			cs := slices.Clone(codes[st])
			slices.Sort(cs)
			block = append(block, fmt.Sprintf("        '%d': [%s]", st, strings.Join(slices.Compact(cs), ", ")))
		}
		lines = slices.Concat(lines[:at+1], block, lines[end:])
	}
	return []byte(strings.Join(lines, "\n")), nil
}
