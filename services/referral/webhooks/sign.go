package webhooks

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
)

// Webhook headers. The signature is "sha256=" and the hex HMAC-SHA256,
// under the organisation's webhook secret (Secret), of the timestamp
// header, a dot and the body, so a captured delivery cannot be replayed
// later with a new time (docs/webhooks.md).
const (
	SignatureHeader = "X-NRM-Signature"
	TimestampHeader = "X-NRM-Timestamp" // Unix seconds when the attempt was sent
	DeliveryHeader  = "X-NRM-Delivery"
)

// Secret is the key an organisation verifies its webhooks with: an HMAC
// of its organisation id and the secret's generation under the webhook
// subkey, so each organisation has its own, a rotation makes a new one,
// and none is stored. It is shown to the organisation hex-encoded.
func Secret(webhookKey []byte, orgID string, version int) []byte {
	m := hmac.New(sha256.New, webhookKey)
	m.Write([]byte("referral-webhook:" + orgID))
	if version > 0 {
		m.Write([]byte(":" + strconv.Itoa(version)))
	}
	return m.Sum(nil)
}

// Sign returns the signature header value of a delivery.
func Sign(secret []byte, timestamp string, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(timestamp))
	m.Write([]byte("."))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}
