package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"time"
)

// The oversight-pages scenario: the auditor's or administrator's pages
// (whichever --email is), each loaded by concurrent clients sharing one
// signed-in session, with the bytes a browser receives for each (HTML,
// style sheet and htmx, gzip accepted).

// oversightPaths are the pages measured for each role's demo user.
var oversightPaths = map[string][]string{
	"auditor": {"/audit", "/audit?object_type=case&action=intake.case.read", "/audit?outcome=denied",
		"/audit/alerts", "/audit/checkpoint", "/audit/events/{event}", "/audit/break-glass"},
	"org_admin":    {"/admin/users", "/admin/provider"},
	"system_admin": {"/admin/users", "/admin/orgs", "/admin/provider"},
}

func (l *loader) runOversightPages(ctx context.Context, cred loadCredential, apiCode, role string, concurrency int, d time.Duration, max int, stdout io.Writer) error {
	paths, ok := oversightPaths[role]
	if !ok {
		return usageError{"--role must be auditor, org_admin or system_admin"}
	}
	event := ""
	if role == "auditor" {
		// An event whose proof the page checks (the log's first, signed
		// in the first checkpoint).
		var err error
		if event, err = l.firstEvent(ctx); err != nil {
			return err
		}
	}
	fmt.Fprintln(stdout, "signing in on the pages (waits for a fresh authenticator code)...")
	cookie, err := pageSession(ctx, l.client, l.base, cred, apiCode)
	if err != nil {
		return err
	}
	paths = slices.Clone(paths) // the table stays as written
	for i, p := range paths {
		if event != "" {
			paths[i] = replaceEvent(p, event)
		}
	}
	return l.measurePages(ctx, paths, cookie, true, concurrency, d, max, stdout)
}

// measurePages loads each page in turn with concurrent clients sharing one
// signed-in session, after printing the bytes a browser receives for it
// (HTML, style sheet and htmx, gzip accepted) and, with withHTML, the
// page's HTML alone gzipped. The first page that had failed requests is
// reported.
func (l *loader) measurePages(ctx context.Context, paths []string, cookie string, withHTML bool, concurrency int, d time.Duration, max int, stdout io.Writer) error {
	var failed error
	for _, path := range paths {
		total := 0
		for _, q := range []string{path, "/static/app.css", "/static/htmx.min.js"} {
			n, err := l.page(ctx, q, cookie)
			if err != nil {
				return err
			}
			total += n
		}
		line := fmt.Sprintf("bytes: %s (HTML, style sheet, htmx; gzip accepted): %d", path, total)
		if withHTML {
			html, err := l.htmlGzip(ctx, path, cookie)
			if err != nil {
				return err
			}
			line += fmt.Sprintf("; the HTML alone gzipped: %d", html)
		}
		fmt.Fprintln(stdout, line)
		op := func(ctx context.Context, _ *rand.Rand) error {
			_, err := l.page(ctx, path, cookie)
			return err
		}
		res := runLoad(ctx, op, concurrency, d, max)
		res.Scenario = "pages GET " + path
		res.print(stdout)
		if res.Errors > 0 && failed == nil {
			failed = fmt.Errorf("%s: %d requests failed (first: %s)", path, res.Errors, res.FirstError)
		}
	}
	return failed
}

// htmlGzip is the size of the page's HTML once gzipped (the server sends
// pages as they are; a proxy in front compresses them).
func (l *loader) htmlGzip(ctx context.Context, path, cookie string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", l.base+path, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Cookie", cookie)
	resp, err := l.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := io.Copy(zw, resp.Body); err != nil {
		return 0, err
	}
	if err := zw.Close(); err != nil {
		return 0, err
	}
	return buf.Len(), nil
}

func replaceEvent(p, id string) string {
	const marker = "{event}"
	for i := 0; i+len(marker) <= len(p); i++ {
		if p[i:i+len(marker)] == marker {
			return p[:i] + id + p[i+len(marker):]
		}
	}
	return p
}

// firstEvent returns the id of the log's first event, through the API.
func (l *loader) firstEvent(ctx context.Context) (string, error) {
	req, _ := http.NewRequestWithContext(ctx, "GET", l.base+"/api/v1/audit/events?limit=1", nil)
	req.Header.Set("Authorization", "Bearer "+l.token)
	resp, err := l.client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var page struct {
		Events []struct {
			ID string `json:"id"`
		} `json:"events"`
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&page) != nil || len(page.Events) == 0 {
		return "", fmt.Errorf("audit events: status %d", resp.StatusCode)
	}
	return page.Events[0].ID, nil
}
