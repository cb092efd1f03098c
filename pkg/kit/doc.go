// Package kit holds the HTTP plumbing shared by every service: JSON errors
// with stable codes, strict request decoding with a body limit, request ids,
// client addresses, rate limits and per-endpoint metrics.
package kit
