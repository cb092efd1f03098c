package rules

import (
	"go/token"
	"path/filepath"
	"testing"
)

// TestSQLInStores: no service method of referral, identity, stats or
// audit (sub-packages included) runs a statement itself; the store
// files do.
func TestSQLInStores(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	calls, err := StatementsOutsideStores(root,
		"services/referral", "services/identity", "services/stats", "services/audit")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range calls {
		t.Errorf("%s runs a statement outside a store file", c)
	}
}

// TestSQLRuleFires: the rule catches a statement run outside a store file
// and lets the store files, and interfaces that merely declare the
// methods, through.
func TestSQLRuleFires(t *testing.T) {
	tests := []struct {
		name, path, src string
		broken          bool
	}{
		{"a service method runs a statement", "services/referral/views.go",
			`package referral
func (s *service) Board() { s.db.QueryContext(ctx, "SELECT 1") }`, true},
		{"a row read in a transaction", "services/referral/grants/grants.go",
			`package grants
func f() { tx.QueryRowContext(ctx, "SELECT 1").Scan(&n) }`, true},
		{"the store runs it", "services/referral/store.go",
			`package referral
func (st *store) board() { st.db.QueryContext(ctx, "SELECT 1") }`, false},
		{"a store_ file runs it", "services/stats/store_release.go",
			`package stats
func f() { tx.ExecContext(ctx, "UPDATE x SET y = 1") }`, false},
		{"a file of a store package runs it", "services/intake/store/cases.go",
			`package store
func f() { tx.ExecContext(ctx, "UPDATE x SET y = 1") }`, false},
		{"an interface declares the methods", "services/referral/webhooks/queue.go",
			`package webhooks
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}`, false},
		{"a name that only contains store", "services/referral/restore.go",
			`package referral
func f() { tx.ExecContext(ctx, "DELETE FROM x") }`, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if isStoreFile(tc.path) {
				if tc.broken {
					t.Fatalf("%s counted as a store file", tc.path)
				}
				return
			}
			calls, err := statementsIn(token.NewFileSet(), tc.path, tc.path, tc.src)
			if err != nil {
				t.Fatal(err)
			}
			if (len(calls) > 0) != tc.broken {
				t.Fatalf("calls %v, want broken=%v", calls, tc.broken)
			}
		})
	}
}
