package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestFlagsRefusedBeforeAnyRequest(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown scenario", []string{"--scenario", "drop", "--credentials", "/nonexistent"}, "--scenario must be"},
		{"not http", []string{"--url", "ftp://127.0.0.1"}, "--url must be an http(s) URL"},
		{"too long", []string{"--duration", "1h"}, "--duration must be within"},
		{"too many clients", []string{"--concurrency", "10000"}, "--concurrency within"},
		{"negative think time", []string{"--think", "-1s"}, "--think must be within"},
		{"stray argument", []string{"register"}, `unexpected argument "register"`},
		{"flood elsewhere", []string{"--scenario", "login-flood", "--url", "http://192.0.2.1:8080"}, "only targets a server on this machine"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(context.Background(), tc.args, &out, &errb)
			if code == 0 || !strings.Contains(errb.String(), tc.want) {
				t.Fatalf("exit %d, stderr %q; want a failure naming %q", code, errb.String(), tc.want)
			}
		})
	}
}

func TestHelpExitsZero(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"-h"}, &out, &errb); code != 0 || !strings.Contains(errb.String(), "-scenario") {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
}

// Every scenario the load generator runs passes the scenario check (it
// then fails on the missing credentials file, before any request).
func TestEveryScenarioIsAccepted(t *testing.T) {
	for _, sc := range []string{"register", "read", "pages", "desk-pages", "commission-pages", "oversight-pages", "login-flood"} {
		var out, errb bytes.Buffer
		code := run(context.Background(), []string{"--scenario", sc, "--credentials", "/nonexistent", "--duration", "1ms"}, &out, &errb)
		if code == 0 || strings.Contains(errb.String(), "--scenario must be") {
			t.Errorf("%s: exit %d, stderr %q", sc, code, errb.String())
		}
	}
}
