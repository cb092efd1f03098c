package main

import (
	"bytes"
	"context"
	"testing"
)

// Mistakes in the flags are exit 2, before anything is built or started.
func TestFlagMistakesAreUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--engine", "mysql"},
		{"--load-min", "5s", "--load-max", "1s"},
		{"stray"},
	} {
		var out, errb bytes.Buffer
		if code := run(context.Background(), args, &out, &errb); code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", args, code, errb.String())
		}
	}
}
