// Package democreds reads the demo credentials file `nrm serve --demo`
// writes beside the keys (DESIGN.md, stable interfaces): for the load
// generator and the fault suite, which sign in as the demo users.
package democreds

import (
	"bufio"
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"
)

// Credential is a demo user's sign-in: email, password and TOTP secret.
type Credential struct{ Email, Password, Secret string }

// userLine is a user's line; the next line holds its otpauth:// URI.
var userLine = regexp.MustCompile(`^\s+(\S+@\S+)\s+\S+\s+password (\S+)\s+id \S+$`)

// ReadAll returns every user of the file at path, in its order.
func ReadAll(path string) ([]Credential, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("credentials: %w (start the server with --demo)", err)
	}
	defer f.Close()
	var out []Credential
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		m := userLine.FindStringSubmatch(sc.Text())
		if m == nil || !sc.Scan() {
			continue
		}
		uri := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(sc.Text()), "totp"))
		pu, err := url.Parse(uri)
		if err != nil {
			return nil, errors.New("credentials: bad otpauth URI")
		}
		out = append(out, Credential{Email: m[1], Password: m[2], Secret: pu.Query().Get("secret")})
	}
	return out, sc.Err()
}

// Find returns the user email of the file at path.
func Find(path, email string) (Credential, error) {
	all, err := ReadAll(path)
	if err != nil {
		return Credential{}, err
	}
	for _, c := range all {
		if c.Email == email {
			return c, nil
		}
	}
	return Credential{}, fmt.Errorf("credentials: no entry for %s", email)
}
