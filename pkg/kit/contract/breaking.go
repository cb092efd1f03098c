package contract

import (
	"fmt"
	"path/filepath"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oasdiff/oasdiff/checker"
	"github.com/oasdiff/oasdiff/diff"
	"github.com/oasdiff/oasdiff/load"
)

// BaselinePath is the released document, from the module root: what
// clients of /api/v1 were promised. It changes only on a release.
const BaselinePath = "cmd/nrm/testdata/openapi-v1-baseline.yaml"

// Breaking lists the changes from the document at base to the one at
// current that would break a client written against base (oasdiff's
// error-level checks): a removed operation, a new required request field,
// a narrowed enum, a removed response field, and so on.
func Breaking(base, current string) ([]string, error) {
	loader := openapi3.NewLoader()
	s1, err := load.NewSpecInfo(loader, load.NewSource(base))
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", filepath.Base(base), err)
	}
	s2, err := load.NewSpecInfo(loader, load.NewSource(current))
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", filepath.Base(current), err)
	}
	d, sources, err := diff.GetWithOperationsSourcesMap(diff.NewConfig(), s1, s2)
	if err != nil {
		return nil, fmt.Errorf("diff: %w", err)
	}
	changes := checker.CheckBackwardCompatibilityUntilLevel(checker.NewConfig(checker.GetAllChecks()), d, sources, checker.ERR)
	l := checker.NewDefaultLocalizer()
	var out []string
	for _, c := range changes {
		if c.GetLevel() >= checker.ERR {
			out = append(out, fmt.Sprintf("%s %s: %s", c.GetOperation(), c.GetPath(), c.GetUncolorizedText(l)))
		}
	}
	return out, nil
}
