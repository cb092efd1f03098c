// Package kit holds the platform plumbing shared by every service, one home
// per concern: JSON errors with stable codes and the one mapping from an
// error to its code (ErrCode), the JSON 404 and 405 (JSONErrors), strict
// request decoding with a body limit, request ids, client addresses, rate
// limits, per-route HTTP metrics, the one request observer behind every
// service's logging and instrumenting middlewares (Observer, Decorator),
// the one metrics registration (Register), and the go-kit server options,
// response encoder and HTTP client every service's transport uses.
package kit
