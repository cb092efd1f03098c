package audit

import (
	"testing"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
)

// Every statement of the audit log is its store's.
func TestSQLOnlyInTheStore(t *testing.T) { dbtest.StatementsInStore(t, ".") }
