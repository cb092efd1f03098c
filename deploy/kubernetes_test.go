package deploy

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// calls are the service-to-service calls the architecture draws (who
// calls whom over HTTP, on the internal listener), written by hand from
// DESIGN.md and the split deployment's peers: events travel by outbox
// relays, which call audit, stats and referral (notices). The web pages
// call every service's public API, as the user, over its internal
// listener (mutual TLS).
var calls = map[string][]string{
	"audit":    {"identity"},
	"identity": {"audit", "referral"},
	"intake":   {"audit", "identity", "referral", "stats"},
	"referral": {"audit", "identity", "intake", "stats"},
	"stats":    {"audit", "identity"},
	"web":      {"audit", "identity", "intake", "referral", "stats"},
}

var services = []string{"audit", "identity", "intake", "referral", "stats", "web"}

const (
	portPublic   = 8080
	portInternal = 8443
	portMetrics  = 9090
)

// manifests decodes every document of deploy/kubernetes strictly into its
// API type: an unknown or misspelt field fails.
type manifests struct {
	deployments []appsv1.Deployment
	services    []corev1.Service
	policies    []networkingv1.NetworkPolicy
	secrets     []corev1.Secret
	jobs        []batchv1.Job
	others      int
}

func load(t *testing.T) manifests {
	t.Helper()
	files, err := filepath.Glob("kubernetes/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests: %v", err)
	}
	var m manifests
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, doc := range regexp.MustCompile(`(?m)^---\s*$`).Split(string(b), -1) {
			if strings.TrimSpace(stripComments(doc)) == "" {
				continue
			}
			where := fmt.Sprintf("%s #%d", f, i)
			var tm metav1.TypeMeta
			if err := yaml.Unmarshal([]byte(doc), &tm); err != nil {
				t.Fatalf("%s: %v", where, err)
			}
			strict := func(v any) {
				if err := yaml.UnmarshalStrict([]byte(doc), v); err != nil {
					t.Fatalf("%s (%s): %v", where, tm.Kind, err)
				}
			}
			switch tm.APIVersion + " " + tm.Kind {
			case "apps/v1 Deployment":
				var d appsv1.Deployment
				strict(&d)
				m.deployments = append(m.deployments, d)
			case "v1 Service":
				var s corev1.Service
				strict(&s)
				m.services = append(m.services, s)
			case "networking.k8s.io/v1 NetworkPolicy":
				var p networkingv1.NetworkPolicy
				strict(&p)
				m.policies = append(m.policies, p)
			case "v1 Secret":
				var s corev1.Secret
				strict(&s)
				m.secrets = append(m.secrets, s)
			case "batch/v1 Job":
				var j batchv1.Job
				strict(&j)
				m.jobs = append(m.jobs, j)
			case "v1 Namespace":
				strict(&corev1.Namespace{})
				m.others++
			case "v1 ConfigMap":
				strict(&corev1.ConfigMap{})
				m.others++
			case "v1 PersistentVolumeClaim":
				strict(&corev1.PersistentVolumeClaim{})
				m.others++
			case "networking.k8s.io/v1 Ingress":
				strict(&networkingv1.Ingress{})
				m.others++
			default:
				t.Fatalf("%s: kind %s %s is not checked by this test", where, tm.APIVersion, tm.Kind)
			}
		}
	}
	return m
}

func stripComments(doc string) string {
	var b bytes.Buffer
	for _, l := range strings.Split(doc, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "#") {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

func component(labels map[string]string) string { return labels["app.kubernetes.io/component"] }

func TestKubernetesDeployments(t *testing.T) {
	m := load(t)
	var got []string
	for _, d := range m.deployments {
		svc := component(d.Spec.Template.Labels)
		got = append(got, svc)
		t.Run(d.Name, func(t *testing.T) {
			pod := d.Spec.Template.Spec
			if sel := d.Spec.Selector.MatchLabels; component(sel) != svc || d.Name != svc {
				t.Errorf("selector %v, name %s: want component %s", sel, d.Name, svc)
			}
			if psc := pod.SecurityContext; psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot {
				t.Error("pod not runAsNonRoot")
			}
			if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
				t.Error("the service account token is mounted: nrm never calls the Kubernetes API")
			}
			for _, c := range append(slices.Clone(pod.InitContainers), pod.Containers...) {
				sc := c.SecurityContext
				if sc == nil || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
					t.Errorf("%s: privilege escalation not refused", c.Name)
				}
				if sc == nil || sc.Privileged != nil && *sc.Privileged {
					t.Errorf("%s: privileged", c.Name)
				}
				if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
					t.Errorf("%s: writable root filesystem", c.Name)
				}
				if sc == nil || sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") {
					t.Errorf("%s: capabilities not dropped", c.Name)
				}
				if c.Resources.Requests.Cpu().IsZero() || c.Resources.Requests.Memory().IsZero() {
					t.Errorf("%s: no CPU or memory request", c.Name)
				}
			}
			if len(pod.Containers) != 1 {
				t.Fatalf("%d containers, want nrm alone", len(pod.Containers))
			}
			c := pod.Containers[0]
			probe := func(name string, p *corev1.Probe, path string) {
				if p == nil || p.HTTPGet == nil || p.HTTPGet.Path != path || p.HTTPGet.Port.String() != "http" {
					t.Errorf("%s probe %+v, want GET %s on the public port", name, p, path)
				}
			}
			probe("liveness", c.LivenessProbe, "/healthz")
			probe("readiness", c.ReadinessProbe, "/readyz")
			args := c.Args
			if i := slices.Index(args, "--services"); args[0] != "serve" || i < 0 || args[i+1] != svc {
				t.Errorf("args %v: want serve --services %s", args, svc)
			}
			var peers []string
			for i, a := range args {
				if a == "--peer" {
					name, _, _ := strings.Cut(args[i+1], "=")
					peers = append(peers, name)
				}
			}
			sort.Strings(peers)
			if !slices.Equal(peers, calls[svc]) {
				t.Errorf("peers %v, want %v", peers, calls[svc])
			}
			for _, flag := range []string{"--certs", "--keys", "--internal-addr", "--trusted-proxies"} {
				if !slices.Contains(args, flag) && (svc != "web" || flag != "--internal-addr") {
					t.Errorf("no %s", flag)
				}
			}
			// Nobody calls the pages: no internal listener, and no database.
			if svc == "web" && slices.Contains(args, "--internal-addr") {
				t.Error("the web pages open an internal listener")
			}
			for _, e := range c.Env {
				if svc == "web" && strings.HasPrefix(e.Name, "NRM_DATABASE_URL") {
					t.Error("the web pages get the database's address")
				}
			}
			// Certificates and keys come from the service's own Secrets.
			secrets := map[string]bool{}
			for _, v := range pod.Volumes {
				if v.Secret != nil {
					secrets[v.Secret.SecretName] = true
				}
			}
			for _, want := range []string{"nrm-certs-" + svc, "nrm-keys-" + svc} {
				if !secrets[want] {
					t.Errorf("no volume from Secret %s", want)
				}
			}
			if secrets["nrm-master-keys"] {
				t.Error("a service mounts the master keys")
			}
		})
	}
	sort.Strings(got)
	if !slices.Equal(got, services) {
		t.Fatalf("deployments %v, want one per service %v", got, services)
	}
	for _, svc := range []string{"intake", "referral", "web"} {
		for _, d := range m.deployments {
			if d.Name == svc && (d.Spec.Replicas == nil || *d.Spec.Replicas < 2) {
				t.Errorf("%s: fewer than two replicas", svc)
			}
		}
	}
	for _, j := range m.jobs {
		for _, c := range j.Spec.Template.Spec.Containers {
			if c.SecurityContext == nil || c.SecurityContext.AllowPrivilegeEscalation == nil || *c.SecurityContext.AllowPrivilegeEscalation {
				t.Errorf("job %s: privilege escalation not refused", j.Name)
			}
		}
	}
	// Every Secret a Deployment mounts is declared.
	declared := map[string]bool{}
	for _, s := range m.secrets {
		declared[s.Name] = true
	}
	for _, d := range m.deployments {
		for _, v := range d.Spec.Template.Spec.Volumes {
			if v.Secret != nil && !declared[v.Secret.SecretName] {
				t.Errorf("%s mounts undeclared Secret %s", d.Name, v.Secret.SecretName)
			}
		}
	}
}

// TestKubernetesNetworkPolicies reads the policies as a graph: the
// service-to-service calls they allow, in and out, must be exactly the
// architecture's, everything else denied by default.
func TestKubernetesNetworkPolicies(t *testing.T) {
	m := load(t)
	defaultDeny := false
	in, out := map[string]bool{}, map[string]bool{}
	for _, p := range m.policies {
		sel := component(p.Spec.PodSelector.MatchLabels)
		if len(p.Spec.PodSelector.MatchLabels) == 0 && len(p.Spec.PodSelector.MatchExpressions) == 0 {
			if len(p.Spec.Ingress) == 0 && len(p.Spec.Egress) == 0 &&
				slices.Contains(p.Spec.PolicyTypes, networkingv1.PolicyTypeIngress) && slices.Contains(p.Spec.PolicyTypes, networkingv1.PolicyTypeEgress) {
				defaultDeny = true
				continue
			}
			t.Errorf("%s: a policy for every pod allows something", p.Name)
		}
		for _, r := range p.Spec.Ingress {
			if len(r.From) == 0 || len(r.Ports) == 0 {
				t.Errorf("%s: an ingress rule open to every source or port", p.Name)
			}
			for _, f := range r.From {
				if f.IPBlock != nil {
					t.Errorf("%s: ingress from an address block", p.Name)
				}
				if f.PodSelector != nil && f.NamespaceSelector == nil {
					from := component(f.PodSelector.MatchLabels)
					for _, port := range r.Ports {
						if port.Port.IntValue() != portInternal {
							t.Errorf("%s: %s may reach %s on port %s, not the internal listener", p.Name, from, sel, port.Port.String())
						}
					}
					in[from+"->"+sel] = true
				}
				if f.NamespaceSelector != nil {
					for _, port := range r.Ports {
						if v := port.Port.IntValue(); v != portPublic && v != portMetrics {
							t.Errorf("%s: another namespace may reach port %d", p.Name, v)
						}
					}
				}
			}
		}
		for _, r := range p.Spec.Egress {
			if len(r.To) == 0 || len(r.Ports) == 0 {
				t.Errorf("%s: an egress rule open to every destination or port", p.Name)
			}
			for _, to := range r.To {
				if to.PodSelector != nil && to.NamespaceSelector == nil {
					out[sel+"->"+component(to.PodSelector.MatchLabels)] = true
				}
			}
		}
	}
	if !defaultDeny {
		t.Error("no default-deny policy")
	}
	want := map[string]bool{}
	for from, tos := range calls {
		for _, to := range tos {
			want[from+"->"+to] = true
		}
	}
	for name, got := range map[string]map[string]bool{"ingress": in, "egress": out} {
		for e := range got {
			if !want[e] {
				t.Errorf("%s allows %s, a call the architecture does not draw", name, e)
			}
		}
		for e := range want {
			if !got[e] {
				t.Errorf("%s does not allow %s", name, e)
			}
		}
	}
}
