package deploy

import (
	"bytes"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// compose is the part of the Compose specification deploy/compose uses;
// decoding refuses any other field, so a misspelt key fails here rather
// than being ignored by docker compose.
type compose struct {
	Name     string                    `yaml:"name"`
	XNRM     composeService            `yaml:"x-nrm"`
	XService composeService            `yaml:"x-service"`
	XExport  composeService            `yaml:"x-export"`
	Services map[string]composeService `yaml:"services"`
	Networks map[string]struct {
		IPAM struct {
			Config []struct {
				Subnet string `yaml:"subnet"`
			} `yaml:"config"`
		} `yaml:"ipam"`
	} `yaml:"networks"`
	Volumes map[string]struct{} `yaml:"volumes"`
	Secrets map[string]struct {
		Environment string `yaml:"environment"`
		File        string `yaml:"file"`
	} `yaml:"secrets"`
}

type composeService struct {
	Image       string            `yaml:"image"`
	User        string            `yaml:"user"`
	ReadOnly    bool              `yaml:"read_only"`
	CapDrop     []string          `yaml:"cap_drop"`
	SecurityOpt []string          `yaml:"security_opt"`
	Restart     string            `yaml:"restart"`
	Command     []string          `yaml:"command"`
	Environment map[string]string `yaml:"environment"`
	Secrets     []string          `yaml:"secrets"`
	Volumes     []string          `yaml:"volumes"`
	Ports       []string          `yaml:"ports"`
	DependsOn   dependsOn         `yaml:"depends_on"`
	Networks    networks          `yaml:"networks"`
	Deploy      struct {
		Replicas int `yaml:"replicas"`
	} `yaml:"deploy"`
	Healthcheck *struct {
		Test     []string `yaml:"test"`
		Interval string   `yaml:"interval"`
		Timeout  string   `yaml:"timeout"`
		Retries  int      `yaml:"retries"`
	} `yaml:"healthcheck"`
}

// dependsOn is a list of services or a map of service to condition.
type dependsOn map[string]string

func (d *dependsOn) UnmarshalYAML(n *yaml.Node) error {
	*d = dependsOn{}
	if n.Kind == yaml.SequenceNode {
		var names []string
		if err := n.Decode(&names); err != nil {
			return err
		}
		for _, s := range names {
			(*d)[s] = "service_started"
		}
		return nil
	}
	var m map[string]struct {
		Condition string `yaml:"condition"`
	}
	if err := decodeStrict(n, &m); err != nil {
		return err
	}
	for k, v := range m {
		(*d)[k] = v.Condition
	}
	return nil
}

// networks is a list of networks or a map of network to settings.
type networks map[string]string

func (nw *networks) UnmarshalYAML(n *yaml.Node) error {
	*nw = networks{}
	if n.Kind == yaml.SequenceNode {
		var names []string
		if err := n.Decode(&names); err != nil {
			return err
		}
		for _, s := range names {
			(*nw)[s] = ""
		}
		return nil
	}
	var m map[string]struct {
		IPv4 string `yaml:"ipv4_address"`
	}
	if err := decodeStrict(n, &m); err != nil {
		return err
	}
	for k, v := range m {
		(*nw)[k] = v.IPv4
	}
	return nil
}

// decodeStrict decodes a node refusing unknown fields (Node.Decode does not).
func decodeStrict(n *yaml.Node, v any) error {
	b, err := yaml.Marshal(n)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	return dec.Decode(v)
}

func loadCompose(t *testing.T) compose {
	t.Helper()
	b, err := os.ReadFile("compose/compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var c compose
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	return c
}

func flagValues(args []string, flag string) []string {
	var out []string
	for i, a := range args {
		if a == flag && i+1 < len(args) {
			out = append(out, args[i+1])
		}
	}
	return out
}

func TestComposeFile(t *testing.T) {
	c := loadCompose(t)
	if _, ok := c.Services["postgres"]; !ok {
		t.Fatal("no PostgreSQL")
	}
	ingressIP := ""
	for name, s := range c.Services {
		if name == "ingress" {
			ingressIP = s.Networks["nrm"]
		}
	}
	if ingressIP == "" {
		t.Fatal("the ingress has no fixed address for --trusted-proxies")
	}
	for _, svc := range services {
		s, ok := c.Services[svc]
		if !ok {
			t.Errorf("no service %s", svc)
			continue
		}
		if len(s.Command) < 3 || s.Command[0] != "serve" || !slices.Equal(flagValues(s.Command, "--services"), []string{svc}) {
			t.Errorf("%s: command %v, want serve --services %s", svc, s.Command, svc)
		}
		var peers []string
		for _, p := range flagValues(s.Command, "--peer") {
			name, addr, _ := strings.Cut(p, "=")
			if !strings.HasPrefix(addr, "https://"+name+":") {
				t.Errorf("%s: peer %s", svc, p)
			}
			peers = append(peers, name)
		}
		sort.Strings(peers)
		if !slices.Equal(peers, calls[svc]) {
			t.Errorf("%s: peers %v, want %v", svc, peers, calls[svc])
		}
		if got := flagValues(s.Command, "--trusted-proxies"); !slices.Equal(got, []string{ingressIP}) {
			t.Errorf("%s: trusted proxies %v, want the ingress %s alone", svc, got, ingressIP)
		}
		if len(flagValues(s.Command, "--certs")) != 1 || len(flagValues(s.Command, "--keys")) != 1 {
			t.Errorf("%s: no --certs or --keys", svc)
		}
		// Its own keys only, never the master keys.
		for _, v := range s.Volumes {
			vol, _, _ := strings.Cut(v, ":")
			if vol == "master-keys" || strings.HasPrefix(vol, "keys-") && vol != "keys-"+svc {
				t.Errorf("%s mounts %s", svc, vol)
			}
		}
		if s.User == "" || s.User == "0" || strings.HasPrefix(s.User, "0:") || s.User == "root" {
			t.Errorf("%s runs as root", svc)
		}
		if !s.ReadOnly || !slices.Contains(s.CapDrop, "ALL") || !slices.Contains(s.SecurityOpt, "no-new-privileges:true") {
			t.Errorf("%s: read_only %v, cap_drop %v, security_opt %v", svc, s.ReadOnly, s.CapDrop, s.SecurityOpt)
		}
		for dep, cond := range s.DependsOn {
			if strings.HasPrefix(dep, "keys-") && cond != "service_completed_successfully" {
				t.Errorf("%s starts before %s is done", svc, dep)
			}
		}
		if len(s.DependsOn) == 0 {
			t.Errorf("%s waits for nothing", svc)
		}
	}
	for _, svc := range []string{"intake", "referral", "web"} {
		if c.Services[svc].Deploy.Replicas != 2 {
			t.Errorf("%s: %d replicas, want 2", svc, c.Services[svc].Deploy.Replicas)
		}
	}
	for _, v := range c.Services["migrate"].Volumes {
		if strings.HasPrefix(v, "keys-") {
			t.Errorf("migrate mounts %s", v)
		}
	}
}
