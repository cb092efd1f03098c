// Package deploy holds the deployment files (Compose, Kubernetes, the
// container image) and the tests that check them: every manifest decoded
// strictly into the Kubernetes API types, the Compose file into the
// structure it uses.
package deploy
