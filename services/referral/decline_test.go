package referral

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
)

// TestDeclineNoteIsACode: a note from DeclineNotes is kept and shown to
// the sender; free text is refused with a 400 that points to the case
// record, the offer stays open, and the text is stored nowhere.
func TestDeclineNoteIsACode(t *testing.T) {
	t.Parallel()
	ev := newEnv(t, dbtest.SQLite(t))
	prov := ev.provider(t, shelter("MA-06", 5))
	r := ev.refer(t, ev.adult("MA-06", 0), "normal", prov)
	tok := tokens{"cw": {UserID: event.NewID(), OrgID: prov, Roles: []string{auth.RoleNGOCaseworker}}}
	srv := ev.server(t, tok)
	post := func(body string) (int, string) {
		req, _ := http.NewRequest("POST", srv.URL+"/api/v1/referrals/"+r.ID+"/decline", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer cw")
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	const canary = "CANARY-she-fears-her-uncle-3b8a"
	code, body := post(`{"reason":"other","note":"` + canary + `"}`)
	if code != 400 || !strings.Contains(body, "case record") || strings.Contains(body, canary) {
		t.Fatalf("free-text note: %d %s", code, body)
	}
	if got := ev.status(t, r.ID); got.Candidates[0].Status != OfferOffered {
		t.Fatalf("a refused decline moved the offer to %s", got.Candidates[0].Status)
	}
	if all := dump(t, ev.db); strings.Contains(all, canary) {
		t.Fatal("the free-text note was stored")
	}
	code, body = post(`{"reason":"other","note":"security_risk"}`)
	if code != 200 {
		t.Fatalf("coded note: %d %s", code, body)
	}
	got := ev.status(t, r.ID)
	if c := got.Candidates[0]; c.Status != OfferDeclined || c.DeclineReason != "other" || c.DeclineNote != "security_risk" {
		t.Fatalf("sender sees %+v", c)
	}
	// The note is for the sender; the provider's own view has no candidates.
	v, err := ev.s.GetReferral(as(prov, auth.RoleNGOCaseworker), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(v)
	if bytes.Contains(raw, []byte("security_risk")) {
		t.Fatalf("candidate view shows the note: %s", raw)
	}
}
