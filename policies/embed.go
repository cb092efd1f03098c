// Package policies embeds the deployment's configuration files: the Casbin
// access-control model and policy, the roles each organisation kind may
// hold (roles.json), and the decision and support workflow with its
// retention and disclosure settings (workflow.json). A file of the same name in the directory given by --policies
// overrides the embedded one.
package policies

import "embed"

// FS holds the default policy files.
//
//go:embed *.conf *.csv roles.json workflow.json
var FS embed.FS
