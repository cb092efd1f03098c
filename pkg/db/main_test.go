package db_test

import (
	"os"
	"testing"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Run(m)) }
