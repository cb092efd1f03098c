package referral

import (
	"errors"
	"testing"

	"github.com/nrm-project/nrm/pkg/kit"
)

// fuzzDecoder checks that a body decoder either decodes or answers a 4xx
// *kit.Error, whatever the bytes.
func fuzzDecoder(f *testing.F, dec func([]byte) (any, error), seeds ...string) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		_, err := dec(b)
		if err == nil {
			return
		}
		var e *kit.Error
		if !errors.As(err, &e) || e.Status < 400 || e.Status > 499 {
			t.Fatalf("decode error %v is not a 4xx *kit.Error", err)
		}
	})
}

func FuzzDecodeCreate(f *testing.F) {
	fuzzDecoder(f, decodeCreateBody, `{"case_id":"x","service":"shelter","urgency":"normal"}`, `{"fan_out":"3"}`, `{`)
}

func FuzzDecodeDecline(f *testing.F) {
	fuzzDecoder(f, decodeDeclineBody, `{"reason":"no_capacity"}`, `{"reason":"other","note":"security_risk"}`, `{"reason":1}`, `[]`)
}

func FuzzDecodeWithdraw(f *testing.F) {
	fuzzDecoder(f, decodeWithdrawBody, `{}`, `{"reason":"safety_risk","note":"out_of_hours"}`, `{"note":[]}`)
}

func FuzzDecodeProvider(f *testing.F) {
	fuzzDecoder(f, decodeProviderBody, `{"name":"S","regions":["MA-01"],"services":[{"service":"shelter","places":3}]}`, `{"active":"yes"}`)
}

func FuzzDecodeCapacity(f *testing.F) {
	fuzzDecoder(f, decodeCapacityBody, `{"service":"shelter","places":3}`, `{"places":1e99}`)
}

func FuzzDecodeImport(f *testing.F) {
	fuzzDecoder(f, decodeImportBody, `{"organizations":[{"id":"x","name":"n","attributes":[],"services":[]}]}`, `{"organizations":{}}`)
}

func FuzzDecodePlace(f *testing.F) {
	fuzzDecoder(f, decodePlaceBody, `{"org_id":"0a6c3f2e-1b4d-4c8e-9f7a-2d5e6b1c3a40"}`, `{"org_id":1}`, `{"org":"x"}`, `{`)
}
