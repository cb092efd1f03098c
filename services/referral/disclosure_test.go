package referral

import (
	"bytes"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"filippo.io/age"
	"filippo.io/age/armor"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake"
)

const (
	canaryName  = "CANARY-Amina-Okafor-7f3c"
	canaryLegal = "CANARY-asylum-claim-91d2"
	canaryHeath = "CANARY-hiv-status-55e0"
)

// plant gives a case section content with canaries.
func (ev *env) plant(caseID string) {
	ev.secs.mu.Lock()
	defer ev.secs.mu.Unlock()
	ev.secs.content[caseID] = map[string][]byte{
		"identity":  []byte(`{"full_name":"` + canaryName + `","date_of_birth":"1999-04-02"}`),
		"narrative": []byte(`{"account":"recruited online"}`),
		"legal":     []byte(`{"notes":"` + canaryLegal + `"}`),
		"health":    []byte(`{"notes":"` + canaryHeath + `"}`),
	}
}

func externalReferral(caseID, recipient string) NewReferral {
	return NewReferral{CaseID: caseID, Service: "legal_aid", Kind: KindExternal, LegalBasis: "international_cooperation",
		Destination: "prosecution", Recipient: recipient}
}

// decrypt opens an armored package with id.
func decrypt(t *testing.T, pkg []byte, id age.Identity) (intake.PackageContent, error) {
	t.Helper()
	r, err := age.Decrypt(armor.NewReader(bytes.NewReader(pkg)), id)
	if err != nil {
		return intake.PackageContent{}, err
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return intake.PackageContent{}, err
	}
	var c intake.PackageContent
	return c, json.Unmarshal(b, &c)
}

// dump returns every row of every table of the referral database as text.
func dump(t *testing.T, d *db.DB) string {
	t.Helper()
	q := `SELECT name FROM sqlite_master WHERE type = 'table'`
	if d.Engine == db.Postgres {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`
	}
	rows, err := d.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	rows.Close()
	var out strings.Builder
	for _, tb := range tables {
		rs, err := d.Query(`SELECT * FROM ` + tb)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rs.Columns()
		vals := make([]sql.RawBytes, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rs.Next() {
			if err := rs.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				out.Write(v)
				out.WriteByte('|')
			}
		}
		rs.Close()
	}
	return out.String()
}

func countAudit(t *testing.T, d *db.DB, action, outcome string) int {
	t.Helper()
	var n int
	if err := d.QueryRow(`SELECT COUNT(*) FROM outbox WHERE topic = 'audit' AND payload LIKE $1 AND payload LIKE $2`,
		`%"action":"`+action+`"%`, `%"outcome":"`+outcome+`"%`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestExternalPackage: an external referral returns a package id; its
// package opens with the recipient's identity only and holds the summary
// and the sections legal aid needs, nothing else; the database holds
// the recipient's fingerprint and the package's hash, never content.
func TestExternalPackage(t *testing.T) {
	t.Parallel()
	x, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	pq, err := age.GenerateHybridIdentity()
	if err != nil {
		t.Fatal(err)
	}
	recipients := []struct {
		name      string
		recipient string
		id        age.Identity
	}{
		{"x25519", x.Recipient().String(), x},
		{"hybrid", pq.Recipient().String(), pq},
	}
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		ev := newEnv(t, e)
		tok := tokens{"officer": {UserID: event.NewID(), OrgID: ev.police, Roles: []string{auth.RoleFrontlineOfficer}}}
		srv := ev.server(t, tok)
		for _, rc := range recipients {
			t.Run(rc.name, func(t *testing.T) {
				caseID := ev.adult("MA-06", 1, "en")
				ev.plant(caseID)
				calls := ev.secs.calls
				r, err := ev.s.CreateReferral(ev.officer(), externalReferral(caseID, rc.recipient))
				if err != nil {
					t.Fatal(err)
				}
				if r.Status != StatusDisclosed || !validID(r.PackageID) || r.RecipientFingerprint != fingerprintOf(rc.recipient) {
					t.Fatalf("created %+v", r)
				}
				if ev.secs.calls != calls+1 {
					// Read once, when the disclosure is recorded.
					t.Fatalf("sections read %d times at creation, want once", ev.secs.calls-calls)
				}
				calls = ev.secs.calls
				req, _ := http.NewRequest("GET", srv.URL+"/api/v1/referrals/"+r.ID+"/package", nil)
				req.Header.Set("Authorization", "Bearer officer")
				resp, err := srv.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || !bytes.HasPrefix(body, []byte("-----BEGIN AGE ENCRYPTED FILE-----")) {
					t.Fatalf("%d %.80s", resp.StatusCode, body)
				}
				if !strings.Contains(resp.Header.Get("Content-Disposition"), r.PackageID) {
					t.Fatalf("disposition %q", resp.Header.Get("Content-Disposition"))
				}
				sum := sha256.Sum256(body)
				var stored string
				if err := ev.db.QueryRow(`SELECT sha256 FROM referral_packages WHERE package_id = $1`, r.PackageID).Scan(&stored); err != nil {
					t.Fatal(err)
				}
				if stored != hex.EncodeToString(sum[:]) || resp.Header.Get(PackageHashHeader) != stored {
					t.Fatalf("recorded hash %s, header %s, body %x", stored, resp.Header.Get(PackageHashHeader), sum)
				}
				c, err := decrypt(t, body, rc.id)
				if err != nil {
					t.Fatal(err)
				}
				var secs []string
				for k := range c.Sections {
					secs = append(secs, k)
				}
				if c.Format != intake.PackageFormat || c.PackageID != r.PackageID || c.ReferralID != r.ID || c.LegalBasis != "international_cooperation" ||
					c.Destination != "prosecution" || c.Summary.GroupSize != 2 || c.Summary.Region != "MA-06" || len(c.Sections) != 3 ||
					!strings.Contains(string(c.Sections["identity"]), canaryName) || !strings.Contains(string(c.Sections["legal"]), canaryLegal) {
					t.Fatalf("content %+v, sections %v", c, secs)
				}
				if _, ok := c.Sections["health"]; ok {
					t.Fatal("the package holds health, which legal aid was not granted")
				}
				plain, _ := json.Marshal(c)
				if strings.Contains(string(plain), caseID) {
					t.Fatal("the package holds the internal case id")
				}
				if ev.secs.calls != calls {
					t.Fatal("the download read the case again")
				}
				other, _ := age.GenerateX25519Identity()
				if _, err := decrypt(t, body, other); err == nil {
					t.Fatal("another identity opens the package")
				}
			})
		}
		t.Run("every download is recorded and audited", func(t *testing.T) {
			var n int
			if err := ev.db.QueryRow(`SELECT COUNT(*) FROM referral_packages`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 2 || countAudit(t, ev.db, "referral.disclosure", "allowed") != 2 ||
				countAudit(t, ev.db, "referral.disclosure.record", "allowed") != 2 {
				t.Fatalf("%d packages, %d disclosure events", n, countAudit(t, ev.db, "referral.disclosure", "allowed"))
			}
		})
		t.Run("no content at rest", func(t *testing.T) {
			all := dump(t, ev.db)
			// The package is kept only encrypted to its recipient, until
			// its downloads are spent (TestPackagePinned).
			for _, c := range []string{canaryName, canaryLegal, canaryHeath} {
				if strings.Contains(all, c) {
					t.Errorf("the database holds %q", c)
				}
			}
			if !strings.Contains(all, fingerprintOf(x.Recipient().String())) {
				t.Error("the fingerprint is not recorded")
			}
		})
	})
}

func fingerprintOf(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func TestExternalRecipientValidated(t *testing.T) {
	t.Parallel()
	ev := newEnv(t, dbtest.SQLite(t))
	x, _ := age.GenerateX25519Identity()
	caseID := ev.adult("MA-06", 0)
	secret := x.String()
	cases := []struct {
		name string
		in   NewReferral
	}{
		{"missing", externalReferral(caseID, "")},
		{"not a key", externalReferral(caseID, "age1notakeyatall")},
		{"a secret key", externalReferral(caseID, secret)},
		{"an ssh key", externalReferral(caseID, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG")},
		{"too long", externalReferral(caseID, "age1pq1"+strings.Repeat("q", 4096))},
		{"internal with a recipient", NewReferral{CaseID: caseID, Service: "shelter", Urgency: "normal", Recipient: x.Recipient().String()}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ev.s.CreateReferral(ev.officer(), tc.in)
			if kitAs(err) != 400 || !strings.Contains(err.Error(), "recipient") {
				t.Fatalf("err %v, want 400 naming recipient", err)
			}
			if strings.Contains(err.Error(), secret) {
				t.Fatal("the error echoes the secret key")
			}
		})
	}
	var n int
	if err := ev.db.QueryRow(`SELECT COUNT(*) FROM referrals`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d referrals written, %v", n, err)
	}
}

// TestPackageAccess is written by hand: only the sending organisation gets
// the package, and intake's refusal stops it.
func TestPackageAccess(t *testing.T) {
	t.Parallel()
	ev := newEnv(t, dbtest.SQLite(t))
	ev.s.desk.Rules.Policy.PackageDownloads = 10
	x, _ := age.GenerateX25519Identity()
	caseID := ev.adult("MA-06", 0)
	ev.plant(caseID)
	ext, err := ev.s.CreateReferral(ev.officer(), externalReferral(caseID, x.Recipient().String()))
	if err != nil {
		t.Fatal(err)
	}
	prov := ev.provider(t, shelter("MA-06", 5))
	internal := ev.refer(t, ev.adult("MA-06", 0), "normal", prov)
	tok := tokens{}
	srv := ev.server(t, tok)
	rows := []struct {
		name, org, role, id string
		want                int
	}{
		{"sending officer", ev.police, auth.RoleFrontlineOfficer, ext.ID, 200},
		{"sending caseworker", ev.police, auth.RoleNGOCaseworker, ext.ID, 200},
		{"coordinator", ev.police, auth.RoleCoordinator, ext.ID, 403},
		{"auditor", ev.police, auth.RoleAuditor, ext.ID, 403},
		{"system admin", "", auth.RoleSystemAdmin, ext.ID, 403},
		{"other officer", event.NewID(), auth.RoleFrontlineOfficer, ext.ID, 404},
		{"internal referral", ev.police, auth.RoleFrontlineOfficer, internal.ID, 404},
		{"candidate of the internal one", prov, auth.RoleNGOCaseworker, internal.ID, 404},
		{"unknown id", ev.police, auth.RoleFrontlineOfficer, event.NewID(), 404},
		{"not an id", ev.police, auth.RoleFrontlineOfficer, "x", 404},
		{"anonymous", "", "", ext.ID, 401},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			token := ""
			if row.role != "" {
				token = event.NewID()
				tok[token] = auth.Principal{UserID: event.NewID(), OrgID: row.org, Roles: []string{row.role}}
			}
			if got := do(t, srv, token, "GET", "/api/v1/referrals/"+row.id+"/package", nil); got != row.want {
				t.Fatalf("%d, want %d", got, row.want)
			}
		})
	}
	if n := countAudit(t, ev.db, "referral.disclosure", "denied"); n < 3 {
		t.Fatalf("%d denied disclosure events, want one per hidden package", n)
	}

	t.Run("intake refuses the disclosure", func(t *testing.T) {
		before := countAudit(t, ev.db, "referral.disclosure", "allowed")
		ev.discl.fail = kit.ErrNotFound
		t.Cleanup(func() { ev.discl.fail = nil })
		if _, err := ev.s.Package(ev.officer(), ext.ID); codeOf(err) != kit.CodeNotFound {
			t.Fatalf("err %v", err)
		}
		ev.discl.fail = fmt.Errorf("connection refused")
		if _, err := ev.s.Package(ev.officer(), ext.ID); kitAs(err) != 503 {
			t.Fatalf("err %v, want 503", err)
		}
		if after := countAudit(t, ev.db, "referral.disclosure", "allowed"); after != before {
			t.Fatal("a package that was not produced was audited as disclosed")
		}
	})

	t.Run("through the client", func(t *testing.T) {
		tok["c"] = auth.Principal{UserID: event.NewID(), OrgID: ev.police, Roles: []string{auth.RoleFrontlineOfficer}}
		c, err := NewClient(srv.URL, nil)
		if err != nil {
			t.Fatal(err)
		}
		pkg, err := c.Package(auth.WithPrincipal(t.Context(), auth.Principal{UserID: tok["c"].UserID, Token: "c"}), ext.ID)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(pkg.Armored)
		if pkg.PackageID != ext.PackageID || pkg.SHA256 != hex.EncodeToString(sum[:]) {
			t.Fatalf("package %s hash %s", pkg.PackageID, pkg.SHA256)
		}
		if _, err := decrypt(t, pkg.Armored, x); err != nil {
			t.Fatal(err)
		}
	})
}

func TestExternalWithoutIntakeIsUnavailable(t *testing.T) {
	t.Parallel()
	ev := newEnv(t, dbtest.SQLite(t))
	cfg := ev.config()
	cfg.Disclosures = nil
	s, err := newService(cfg)
	if err != nil {
		t.Fatal(err)
	}
	x, _ := age.GenerateX25519Identity()
	if _, err := s.CreateReferral(ev.officer(), externalReferral(ev.adult("MA-06", 0), x.Recipient().String())); kitAs(err) != 503 {
		t.Fatalf("err %v, want 503", err)
	}
}
