package web

import (
	"crypto/rand"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-kit/log"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/audit"
	"github.com/nrm-project/nrm/services/identity"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/web/oversight"
	"github.com/nrm-project/nrm/services/web/page"
)

// The auditors' and administrators' pages over fakes of the services:
// what each role reaches, what the forms refuse beside their fields, and
// the server's own check of a proof.

const (
	orgPolice = "11111111-1111-4111-8111-111111111111"
	orgOther  = "22222222-2222-4222-8222-222222222222"
	orgAudit  = "33333333-3333-4333-8333-333333333333"
)

type oversightFakes struct {
	log      *fakeLog
	access   *fakeAccess
	accounts *fakeAccounts
	dir      *fakeDirectory
	keys     *fakeKeyRings
}

func newOversight(t *testing.T, vkey string, witnesses ...string) (*Handler, *oversightFakes) {
	t.Helper()
	f := &oversightFakes{log: &fakeLog{}, access: &fakeAccess{}, accounts: &fakeAccounts{}, dir: &fakeDirectory{}, keys: &fakeKeyRings{}}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	h, err := New(Config{Identity: noIdentity{}, Cases: noCases{}, Referrals: noReferrals{},
		Audit: f.log, EmergencyAccess: f.access, Accounts: f.accounts, Directory: f.dir, KeyRings: f.keys,
		AuditVerifierKey: vkey, Witnesses: witnesses, SessionKey: key, Logger: log.NewLogfmtLogger(os.Stderr)})
	if err != nil {
		t.Fatal(err)
	}
	return h, f
}

// as returns a request of a signed-in user with roles in org.
func as(t *testing.T, h *Handler, org string, roles ...string) func(method, path string, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	now := time.Now()
	s := &page.Session{Access: "token", AccessExp: now.Add(time.Hour).Unix(), UserID: "u-1", OrgID: org, Roles: roles,
		Created: now.Unix(), Seen: now.Unix(), CSRF: "form-token"}
	cookie, err := h.SealSession(s)
	if err != nil {
		t.Fatal(err)
	}
	return func(method, path string, form url.Values) *httptest.ResponseRecorder {
		var body io.Reader
		if form != nil {
			form.Set("csrf", "form-token")
			body = strings.NewReader(form.Encode())
		}
		r := httptest.NewRequest(method, path, body)
		r.Header.Set("Sec-Fetch-Site", "same-origin")
		if form != nil {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		r.AddCookie(&http.Cookie{Name: page.SessionCookie, Value: cookie})
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
}

func TestOversightPagesByRole(t *testing.T) {
	h, f := newOversight(t, "")
	f.accounts.orgs = []identity.Org{{ID: orgPolice, Name: "Police", Kind: "police"}}
	cases := []struct {
		roles []string
		path  string
		want  int
	}{
		{[]string{auth.RoleAuditor}, "/audit", 200},
		{[]string{auth.RoleAuditor}, "/audit/alerts", 200},
		{[]string{auth.RoleAuditor}, "/audit/break-glass", 200},
		{[]string{auth.RoleAuditor}, "/admin/users", 404},
		{[]string{auth.RoleFrontlineOfficer}, "/audit", 404},
		{[]string{auth.RoleFrontlineOfficer}, "/audit/checkpoint", 404},
		{[]string{auth.RoleFrontlineOfficer}, "/admin/users", 404},
		{[]string{auth.RoleOrgAdmin}, "/audit", 404},
		{[]string{auth.RoleOrgAdmin}, "/admin/users", 200},
		{[]string{auth.RoleOrgAdmin}, "/admin/provider", 200},
		{[]string{auth.RoleCommissionAnalyst}, "/admin/orgs", 404},
		{[]string{auth.RoleSystemAdmin}, "/admin/orgs", 200},
		{[]string{auth.RoleSystemAdmin}, "/admin/users", 200},
		{[]string{auth.RoleSystemAdmin}, "/admin/provider?org=" + orgPolice, 200},
		{[]string{auth.RoleOrgAdmin}, "/admin/keys", 200},
		{[]string{auth.RoleSystemAdmin}, "/admin/keys", 200},
		{[]string{auth.RoleAuditor}, "/admin/keys", 404},
		{[]string{auth.RoleFrontlineOfficer}, "/admin/keys", 404},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.roles, ",")+c.path, func(t *testing.T) {
			if w := as(t, h, orgPolice, c.roles...)("GET", c.path, nil); w.Code != c.want {
				t.Fatalf("%d, want %d", w.Code, c.want)
			}
		})
	}
}

func TestAuditLogFilters(t *testing.T) {
	h, f := newOversight(t, "")
	get := as(t, h, orgAudit, auth.RoleAuditor)

	// Every wrong filter is named beside its field, and nothing is asked.
	w := get("GET", "/audit?actor=a+b&action=read&object_id=%3Cscript%3E&since=2026-11-20&until=2026-11-01", nil)
	if w.Code != http.StatusBadRequest || f.log.calls != 0 {
		t.Fatalf("%d, %d calls", w.Code, f.log.calls)
	}
	for _, id := range []string{"e-actor", "e-action", "e-object_id", "e-until"} {
		if !strings.Contains(w.Body.String(), `id="`+id+`"`) {
			t.Errorf("no error beside %s", id)
		}
	}
	if strings.Contains(w.Body.String(), "<script>") {
		t.Fatal("a typed script came back as markup")
	}

	// Right filters are passed on; the day typed as the last is included;
	// the next page keeps the filters.
	next := int64(49)
	f.log.page = audit.EventPage{Events: []audit.Entry{{Index: 7, Audit: event.Audit{ID: "e", Action: "intake.case.read", Outcome: "allowed"}}}, Next: &next}
	w = get("GET", "/audit?object_type=case&object_id=c-1&since=2026-11-01&until=2026-11-20", nil)
	if w.Code != 200 {
		t.Fatalf("%d", w.Code)
	}
	q := f.log.query
	if q.ObjectType != "case" || q.ObjectID != "c-1" || !q.To.Equal(time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)) || q.Limit != 50 {
		t.Fatalf("query %+v", q)
	}
	if !strings.Contains(w.Body.String(), "after=49&amp;object_id=c-1&amp;object_type=case&amp;since=2026-11-01&amp;until=2026-11-20") {
		i := strings.Index(w.Body.String(), `rel="next"`)
		t.Fatalf("the next page's link does not keep the filters: %s", w.Body.String()[i:i+200])
	}
}

// TestProofCheckedOnTheServer builds a real log, answers its proofs, and
// tampers with each part in turn: the page says verified only for the
// untouched proof.
func TestProofCheckedOnTheServer(t *testing.T) {
	skey, vkey, err := note.GenerateKey(rand.Reader, "nrm.test/audit")
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := note.NewSigner(skey)
	entries, hashes := buildLog(t, 13)
	r := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = hashes[x]
		}
		return out, nil
	})
	size := int64(len(entries))
	root, _ := tlog.TreeHash(size, r)
	cp, err := note.Sign(&note.Note{Text: "nrm.test/audit\n13\n" + base64.StdEncoding.EncodeToString(root[:]) + "\n"}, signer)
	if err != nil {
		t.Fatal(err)
	}
	h, f := newOversight(t, vkey)
	get := as(t, h, orgAudit, auth.RoleAuditor)
	for i := range entries {
		p, _ := tlog.ProveRecord(size, int64(i), r)
		proof := audit.InclusionProof{Event: entries[i], Size: size, Root: root[:], Checkpoint: string(cp)}
		for _, x := range p {
			proof.Proof = append(proof.Proof, x[:])
		}
		f.log.proof = proof
		if w := get("GET", "/audit/events/"+uuid(1), nil); !strings.Contains(w.Body.String(), `class="verdict ok"`) {
			t.Fatalf("leaf %d of %d: not verified", i, size)
		}
	}
	p, _ := tlog.ProveRecord(size, 5, r)
	good := audit.InclusionProof{Event: entries[5], Size: size, Root: root[:], Checkpoint: string(cp)}
	for _, x := range p {
		good.Proof = append(good.Proof, x[:])
	}
	tamper := map[string]func(p *audit.InclusionProof){
		"event":      func(p *audit.InclusionProof) { p.Event.Action = "intake.case.export" },
		"hash":       func(p *audit.InclusionProof) { p.Proof[1] = append([]byte{}, p.Proof[0]...) },
		"root":       func(p *audit.InclusionProof) { p.Root = make([]byte, 32) },
		"checkpoint": func(p *audit.InclusionProof) { p.Checkpoint = strings.Replace(p.Checkpoint, "\n13\n", "\n12\n", 1) },
	}
	for name, fn := range tamper {
		t.Run(name, func(t *testing.T) {
			p := good
			p.Event.Audit = good.Event.Audit
			p.Proof = append([][]byte{}, good.Proof...)
			fn(&p)
			f.log.proof = p
			w := get("GET", "/audit/events/"+uuid(1), nil)
			if !strings.Contains(w.Body.String(), `class="verdict bad"`) {
				t.Fatalf("tampered %s: the page does not say so", name)
			}
		})
	}
	f.log.proof = good
	if w := get("GET", "/audit/events/"+uuid(1), nil); !strings.Contains(w.Body.String(), `class="verdict ok"`) {
		t.Fatal("the untouched proof is not verified")
	}
}

func TestCheckpointAgainstWitnesses(t *testing.T) {
	skey, vkey, _ := note.GenerateKey(rand.Reader, "nrm.test/audit")
	signer, _ := note.NewSigner(skey)
	otherKey, _, _ := note.GenerateKey(rand.Reader, "nrm.test/audit")
	other, _ := note.NewSigner(otherKey)
	_, hashes := buildLog(t, 20)
	r := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = hashes[x]
		}
		return out, nil
	})
	sign := func(s note.Signer, n int64) []byte {
		root, _ := tlog.TreeHash(n, r)
		b, _ := note.Sign(&note.Note{Text: "nrm.test/audit\n" + itoa(n) + "\n" + base64.StdEncoding.EncodeToString(root[:]) + "\n"}, s)
		return b
	}
	dir := t.TempDir()
	witness := func(name string, b []byte) string {
		d := filepath.Join(dir, name)
		_ = os.MkdirAll(d, 0o755)
		if b != nil {
			_ = os.WriteFile(filepath.Join(d, "latest"), b, 0o644)
		}
		return d
	}
	same, older, forged, empty := witness("same", sign(signer, 20)), witness("older", sign(signer, 11)), witness("forged", sign(other, 20)), witness("empty", nil)
	h, f := newOversight(t, vkey, same, older, forged, empty)
	// The log serves its checkpoint with an HTTP witness's cosignature
	// appended; the directory's copy, written before, still matches.
	wkey, _, _ := note.GenerateKey(rand.Reader, "a-witness")
	cosigner, _ := note.NewSigner(wkey)
	root20, _ := tlog.TreeHash(20, r)
	f.log.checkpoint, _ = note.Sign(&note.Note{Text: "nrm.test/audit\n20\n" + base64.StdEncoding.EncodeToString(root20[:]) + "\n"}, signer, cosigner)
	f.log.consistency = func(from, to int64) audit.ConsistencyProof {
		p, _ := tlog.ProveTree(to, from, r)
		var out audit.ConsistencyProof
		for _, x := range p {
			out.Proof = append(out.Proof, x[:])
		}
		return out
	}
	w := as(t, h, orgAudit, auth.RoleAuditor)("GET", "/audit/checkpoint", nil)
	body := w.Body.String()
	for _, want := range []string{"same</strong>: " + locale("en").T("audit.witness.matches"), "older</strong>: " + locale("en").T("audit.witness.consistent"),
		"forged</strong>: " + locale("en").T("audit.witness.bad"), "empty</strong>: " + locale("en").T("audit.witness.missing")} {
		if !strings.Contains(body, want) {
			t.Errorf("the page does not say %q", want)
		}
	}
	if strings.Contains(body, dir) {
		t.Error("the page shows a witness's path on the server")
	}
}

func TestBreakGlassReview(t *testing.T) {
	h, f := newOversight(t, "")
	f.access.list = []intake.BreakGlass{
		{ID: uuid(1), CaseID: uuid(9), OrgID: orgOther, UserID: uuid(8), Status: "open", ReasonEntry: uuid(7)},
		{ID: uuid(2), CaseID: uuid(9), OrgID: orgAudit, UserID: uuid(8), Status: "expired"},
	}
	do := as(t, h, orgAudit, auth.RoleAuditor)
	body := do("GET", "/audit/break-glass", nil).Body.String()
	if !strings.Contains(body, `action="/audit/break-glass/`+uuid(1)+`/review"`) || strings.Contains(body, `action="/audit/break-glass/`+uuid(2)+`/review"`) {
		t.Fatal("a review form is offered on the auditor's own organisation's access, or not on another's")
	}
	if w := do("POST", "/audit/break-glass/"+uuid(1)+"/review", url.Values{"code": {"nonsense"}}); w.Code != http.StatusSeeOther || f.access.reviewed != "" {
		t.Fatalf("an unknown conclusion: %d, reviewed %q", w.Code, f.access.reviewed)
	}
	if w := do("POST", "/audit/break-glass/"+uuid(1)+"/review", url.Values{"code": {"justified"}}); w.Code != http.StatusSeeOther || f.access.reviewed != uuid(1)+" justified" {
		t.Fatalf("review: %d, reviewed %q", w.Code, f.access.reviewed)
	}
}

func TestAdminUsers(t *testing.T) {
	h, f := newOversight(t, "")
	f.accounts.orgs = []identity.Org{{ID: orgPolice, Name: "Police", Kind: "police"}}
	admin := as(t, h, orgPolice, auth.RoleOrgAdmin)

	// Only the roles a police organisation may hold that an org admin may grant.
	body := admin("GET", "/admin/users", nil).Body.String()
	if !strings.Contains(body, `value="frontline_officer"`) || strings.Contains(body, `value="org_admin"`) || strings.Contains(body, `value="decision_maker"`) {
		t.Fatal("roles offered do not follow the role policy")
	}
	// Another organisation's users are not found, and not asked for.
	f.accounts.listed = ""
	if w := admin("GET", "/admin/users?org="+orgOther, nil); w.Code != http.StatusNotFound || f.accounts.listed != "" {
		t.Fatalf("another organisation: %d, listed %q", w.Code, f.accounts.listed)
	}
	// A privileged role typed by hand is refused beside the field.
	w := admin("POST", "/admin/users", url.Values{"org": {orgPolice}, "email": {"x@police.demo"}, "display_name": {"<script>x</script>"}, "roles": {"auditor"}})
	if w.Code != http.StatusBadRequest || f.accounts.created != nil || !strings.Contains(w.Body.String(), `id="e-roles"`) {
		t.Fatalf("privileged role: %d, created %v", w.Code, f.accounts.created)
	}
	if strings.Contains(w.Body.String(), "<script>x") {
		t.Fatal("a typed script came back as markup")
	}
	// A user is created with a fresh password, shown once with the ticket.
	w = admin("POST", "/admin/users", url.Values{"org": {orgPolice}, "email": {"x@police.demo"}, "display_name": {"X"}, "roles": {"frontline_officer"}})
	if w.Code != 200 || f.accounts.created == nil || len(f.accounts.created.Password) < 20 || w.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("create: %d %+v %q", w.Code, f.accounts.created, w.Header().Get("Cache-Control"))
	}
	if !strings.Contains(w.Body.String(), f.accounts.created.Password) || !strings.Contains(w.Body.String(), "ticket-1") {
		t.Fatal("the password and ticket are not shown")
	}
	// Reset: the ticket is shown; a refusal by identity is told, not a 500.
	w = admin("POST", "/admin/users/"+uuid(5)+"/reset-factor", url.Values{"org": {orgPolice}})
	if w.Code != 200 || f.accounts.reset != uuid(5) || !strings.Contains(w.Body.String(), "ticket-1") {
		t.Fatalf("reset: %d %q", w.Code, f.accounts.reset)
	}
	f.accounts.refuse = kit.NewError(http.StatusForbidden, identity.CodePrivilegedRole, "no")
	if w := admin("POST", "/admin/users/"+uuid(6)+"/disable", url.Values{"org": {orgPolice}}); w.Code != http.StatusSeeOther {
		t.Fatalf("refused disable: %d", w.Code)
	}
}

// TestAdminKeys: the keys page shows each key ring intake answers, by the
// organisation's name, with a rotation left unfinished marked and what to
// do about it; an organisation without a name shows its id.
func TestAdminKeys(t *testing.T) {
	h, f := newOversight(t, "")
	f.accounts.orgs = []identity.Org{{ID: orgPolice, Name: "Police <b>HQ</b>", Kind: "police"}}
	rotated := time.Date(2026, 11, 30, 9, 5, 0, 0, time.UTC)
	f.keys.rings = []intake.KeyStatus{
		{OrgID: orgPolice, Kind: "x25519", Version: 3, CreatedAt: time.Date(2026, 1, 2, 8, 0, 0, 0, time.UTC), RotatedAt: &rotated, Retired: 1, PendingRewrap: 12},
		{OrgID: orgOther, Kind: "pq-hybrid", Version: 1, CreatedAt: time.Date(2026, 3, 4, 8, 0, 0, 0, time.UTC)},
	}
	w := as(t, h, orgPolice, auth.RoleSystemAdmin)("GET", "/admin/keys", nil)
	body := w.Body.String()
	if w.Code != 200 || f.keys.calls == 0 {
		t.Fatalf("%d, %d calls", w.Code, f.keys.calls)
	}
	for _, want := range []string{"Police &lt;b&gt;HQ&lt;/b&gt;", orgOther, "x25519", "pq-hybrid", "30 November 2026", "Never", `class="overdue"`, "Awaiting re-wrap", "nrm keys rotate"} {
		if !strings.Contains(body, want) {
			t.Errorf("the keys page does not show %q", want)
		}
	}
	f.keys.rings = nil
	if body := as(t, h, orgPolice, auth.RoleOrgAdmin)("GET", "/admin/keys", nil).Body.String(); !strings.Contains(body, "No key ring yet") {
		t.Fatal("no key ring is not said")
	}
}

func TestCreateOrgNamesEveryField(t *testing.T) {
	h, f := newOversight(t, "")
	f.accounts.orgs = []identity.Org{{ID: orgPolice, Name: "Police", Kind: "police"}}
	sys := as(t, h, orgAudit, auth.RoleSystemAdmin)
	w := sys("POST", "/admin/orgs", url.Values{"org_name": {""}, "kind": {"bakery"}, "region": {"MA-99"}})
	if w.Code != http.StatusBadRequest {
		t.Fatalf("%d", w.Code)
	}
	for _, id := range []string{"e-org_name", "e-kind", "e-region"} {
		if !strings.Contains(w.Body.String(), `id="`+id+`"`) {
			t.Errorf("no error beside %s", id)
		}
	}
	// An organisation admin may not create one, whatever they post.
	if w := as(t, h, orgPolice, auth.RoleOrgAdmin)("POST", "/admin/orgs", url.Values{"org_name": {"X"}, "kind": {"ngo"}}); w.Code == http.StatusSeeOther {
		t.Fatalf("an organisation admin created an organisation: %d", w.Code)
	}
}

// TestOversightCodesTranslated: every code the auditors' and
// administrators' pages translate has its label in the three languages.
func TestOversightCodesTranslated(t *testing.T) {
	codes := map[string][]string{
		"outcome": oversight.AuditOutcomes, "review": oversight.ReviewCodes, "bgstatus": {intake.BreakGlassOpen, intake.BreakGlassExpired},
		"rolecode": auth.AllRoles, "orgkind": identity.OrgKinds, "ustatus": {identity.StatusActive, identity.StatusDisabled},
		"factor":        {identity.SecondFactorPending, identity.SecondFactorActive, identity.SecondFactorSuspended},
		"problem":       {identity.ProblemRolesDoNotFit, identity.ProblemIntegrityCheck},
		"audit.witness": {"matches", "consistent", "ahead", "missing", "bad", "remote", "none"},
		// Keys chosen in Go: flashes, field errors, titles.
		"audit.bg":   {"choose", "ownorg", "already", "done"},
		"admin.user": {"disabled", "enabled", "refused"}, "admin.orgs": {"created", "title"},
		"admin":       {"email.taken", "roles.notallowed", "issued.title", "issued.reset", "users.title", "provider.title"},
		"audit.field": {"code", "action", "order"}, "audit": {"log.title", "alerts.title", "checkpoint.title", "proof.title"},
		"label": {"org_name", "kind", "since", "until", "after", "outcome", "actor", "org", "action", "object_type", "object_id", "email", "display_name", "roles"},
	}
	for kind, list := range codes {
		for _, c := range list {
			m, ok := messages[kind+"."+c]
			if !ok || strings.TrimSpace(m.en) == "" || strings.TrimSpace(m.fr) == "" || strings.TrimSpace(m.ar) == "" {
				t.Errorf("%s.%s: not in the three languages", kind, c)
			}
		}
	}
}
