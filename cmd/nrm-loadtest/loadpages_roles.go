package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// The desk-pages and commission-pages scenarios: the pages of the
// national referral desk (a coordinator) or of the commission (an
// analyst), each loaded in turn by concurrent clients sharing one
// signed-in session, with the bytes a browser receives for each (HTML,
// style sheet and htmx, gzip accepted). The commission scenario first asks
// for a release of the current quarter and year (refused harmlessly when
// one stands), so that the tables have figures to show.

// rolePages lists the pages of a scenario.
func (l *loader) rolePages(ctx context.Context, scenario string, now time.Time) ([]string, error) {
	switch scenario {
	case "desk-pages":
		pages := []string{"/desk", "/desk/providers"}
		var board struct {
			NoProvider []struct {
				ID string `json:"id"`
			} `json:"no_provider"`
		}
		if err := l.apiJSON(ctx, "GET", "/api/v1/referrals/board", nil, &board); err != nil {
			return nil, err
		}
		if len(board.NoProvider) > 0 {
			pages = append(pages, "/desk/referrals/"+board.NoProvider[0].ID)
		}
		return pages, nil
	case "commission-pages":
		quarter := fmt.Sprintf("%d-Q%d", now.Year(), (int(now.Month())+2)/3)
		for _, p := range []string{quarter, fmt.Sprint(now.Year())} {
			_ = l.apiJSON(ctx, "POST", "/api/v1/stats/releases",
				map[string]string{"name": "load-" + p + "-" + now.UTC().Format("20060102T150405"), "period": p}, nil)
		}
		return []string{"/stats", "/stats?table=region_responder&by=first_responder&period=" + quarter,
			"/stats/releases", "/stats/report", "/stats/export?table=cases_by_age_location&period=" + quarter}, nil
	}
	return nil, fmt.Errorf("no pages for %s", scenario)
}

// apiJSON calls the API with the loader's token.
func (l *loader) apiJSON(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader = http.NoBody
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, l.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+l.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := l.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %d", method, path, resp.StatusCode)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// runRolePages measures each page of the scenario in turn.
func (l *loader) runRolePages(ctx context.Context, scenario string, cred loadCredential, apiCode string, concurrency int, d time.Duration, max int, stdout io.Writer) error {
	pages, err := l.rolePages(ctx, scenario, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "signing in on the pages (waits for a fresh authenticator code)...")
	cookie, err := pageSession(ctx, l.client, l.base, cred, apiCode)
	if err != nil {
		return err
	}
	return l.measurePages(ctx, pages, cookie, false, concurrency, d, max, stdout)
}
