package external

import (
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/nrm-project/nrm/pkg/kit"
)

// HashHeader carries the hex SHA-256 of a package, as recorded.
const HashHeader = "X-NRM-Package-SHA256"

// Write sends p as the armored age file itself, not JSON.
func Write(w http.ResponseWriter, p Package) error {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", `attachment; filename="`+p.Filename()+`"`)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set(HashHeader, p.SHA256)
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(p.Armored)
	return err
}

// Read takes apart the answer to a download of referralID's package (see
// Write); the package id comes from the file name.
func Read(resp *http.Response, referralID string) (Package, error) {
	b, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return Package{}, fmt.Errorf("referral: client: %w", err)
	}
	if resp.StatusCode/100 != 2 {
		return Package{}, kit.DecodeErrorBody(resp.StatusCode, b)
	}
	pkg := Package{ReferralID: referralID, SHA256: resp.Header.Get(HashHeader), Armored: b}
	if _, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition")); err == nil {
		name := params["filename"]
		pkg.PackageID = strings.TrimSuffix(strings.TrimPrefix(name, "nrm-referral-"), ".age")
	}
	return pkg, nil
}
