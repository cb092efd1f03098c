package keys

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
)

// A split deployment gives each service process only the keys it uses:
// an exported key directory holds no master secret, only the subkeys of
// the named purposes (and secrets such as the service's database
// password) in ExportFile, plus the key files copied beside it. A
// process with such a directory cannot derive another service's keys or
// log in as another service's database role.

// ExportFile holds an exported directory's subkeys and secrets.
const ExportFile = "exported-keys.json"

// Export writes to out (created 0700; files 0600) the subkeys of
// purposes, the named secrets, and copies of the key files named in files
// that exist in d. It never writes the master secret. An existing
// ExportFile is replaced.
func Export(d *Dir, out string, purposes []Purpose, secrets map[string]string, files []string) error {
	if d.master == nil {
		return errors.New("keys: export needs the full key directory (with its master key)")
	}
	if err := os.MkdirAll(out, 0o700); err != nil {
		return fmt.Errorf("keys: export: %w", err)
	}
	if err := os.Chmod(out, 0o700); err != nil {
		return fmt.Errorf("keys: export: %w", err)
	}
	m := map[string]string{}
	for _, p := range purposes {
		m["subkey:"+string(p)] = base64.StdEncoding.EncodeToString(d.Subkey(p))
	}
	for k, v := range secrets {
		m["secret:"+k] = base64.StdEncoding.EncodeToString([]byte(v))
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := writeExported(filepath.Join(out, ExportFile), b); err != nil {
		return err
	}
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(d.path, f))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("keys: export %s: %w", f, err)
		}
		if err := writeExported(filepath.Join(out, f), b); err != nil {
			return err
		}
	}
	return nil
}

// writeExported replaces p through a temporary file of its own in the same
// directory: writers started together never share one, and a reader sees
// the old file or the new one, whole.
func writeExported(p string, b []byte) error {
	if err := writeAtomic(p, b, os.Rename); err != nil {
		return fmt.Errorf("keys: write %s: %w", filepath.Base(p), err)
	}
	return nil
}

// writeAtomic writes b (mode 0600, synced) to a new temporary file beside
// p and puts it in place with place: os.Rename to replace p, os.Link to
// create p only if it does not exist (fs.ErrExist otherwise).
func writeAtomic(p string, b []byte, place func(tmp, p string) error) error {
	f, err := os.CreateTemp(filepath.Dir(p), "."+filepath.Base(p)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // gone after a rename; the spare name after a link
	_, err = f.Write(b)
	if err == nil {
		err = f.Chmod(0o600)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return place(f.Name(), p)
}

// openExported loads an exported directory's subkeys and secrets into d.
func (d *Dir) openExported() (bool, error) {
	b, err := os.ReadFile(filepath.Join(d.path, ExportFile))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("keys: %w", err)
	}
	if fi, err := os.Stat(filepath.Join(d.path, ExportFile)); err == nil && fi.Mode().Perm()&0o077 != 0 {
		return false, fmt.Errorf("keys: %s is readable by others (mode %v); chmod 600 it", ExportFile, fi.Mode().Perm())
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return false, fmt.Errorf("keys: %s: %w", ExportFile, err)
	}
	d.secrets = map[string][]byte{}
	for k, v := range m {
		raw, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			return false, fmt.Errorf("keys: %s: %s is not base64", ExportFile, k)
		}
		switch {
		case len(k) > 7 && k[:7] == "subkey:":
			d.subkeys[Purpose(k[7:])] = raw
		case len(k) > 7 && k[:7] == "secret:":
			d.secrets[k[7:]] = raw
		default:
			return false, fmt.Errorf("keys: %s: unknown entry %q", ExportFile, k)
		}
	}
	return true, nil
}

// Exported reports whether d is an exported directory (no master key).
func (d *Dir) Exported() bool { return d.master == nil }

// Has reports whether d can give the subkey of purpose.
func (d *Dir) Has(p Purpose) bool {
	if d.master != nil {
		return true
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	_, ok := d.subkeys[p]
	return ok
}

// Missing returns those of purposes d cannot give.
func (d *Dir) Missing(purposes ...Purpose) []Purpose {
	var out []Purpose
	for _, p := range purposes {
		if !d.Has(p) && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// Secret returns a secret of an exported directory.
func (d *Dir) Secret(name string) ([]byte, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	b, ok := d.secrets[name]
	return b, ok
}
