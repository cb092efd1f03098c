package referral

import (
	"github.com/go-kit/log"

	"github.com/nrm-project/nrm/services/referral/grants"
)

// NewGrantChanges returns the receiver of the referral grants intake
// revoked (intake's outbox, topic grantchange.Topic), over the referral
// database of cfg.
func NewGrantChanges(cfg Config) *grants.Receiver {
	logger := cfg.Logger
	if logger == nil {
		logger = log.NewNopLogger()
	}
	return &grants.Receiver{DB: cfg.DB, Logger: logger}
}
