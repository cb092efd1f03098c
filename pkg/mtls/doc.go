// Package mtls is the service-to-service authentication of a split
// deployment: a deployment CA, one certificate per service process (its
// service names as DNS names under nrm.internal), TLS configurations that
// require a client certificate chaining to the CA, the calling service
// read from that certificate, and the HTTP client services call each
// other with (timeouts, retries of safe calls only, a circuit breaker per
// peer).
package mtls
