package stats

import (
	"testing"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
)

// Every statement of the statistics service is its store's.
func TestSQLOnlyInTheStore(t *testing.T) { dbtest.StatementsInStore(t, ".") }
