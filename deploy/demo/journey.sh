#!/bin/sh
# The journey of one person through the mechanism, against a running
# `nrm serve --demo` (README, "A walk through the demo"). Needs curl and jq.
#
#   NRM=http://127.0.0.1:8080 CREDS=./nrm-keys/demo-credentials.txt deploy/demo/journey.sh
set -eu
NRM=${NRM:-http://127.0.0.1:8080}
CREDS=${CREDS:-./nrm-keys/demo-credentials.txt}
NRM_BIN=${NRM_BIN:-go run ./cmd/nrm}

# login EMAIL: signs in with the password and a fresh TOTP code from the
# credentials file, and prints the access token.
login() {
	password=$(awk -v e="$1" '$1 == e { for (i = 1; i < NF; i++) if ($i == "password") print $(i + 1) }' "$CREDS")
	uri=$(awk -v e="$1" 'found && $1 == "totp" { print $2; exit } $1 == e { found = 1 }' "$CREDS")
	otp=$(printf '%s\n' "$uri" | $NRM_BIN totp)
	jq -n --arg e "$1" --arg p "$password" --arg o "$otp" '{email: $e, password: $p, otp: $o}' |
		curl -s -H 'Content-Type: application/json' -d @- "$NRM/api/v1/auth/login" | jq -r '.access_token // empty'
}

# api TOKEN METHOD PATH [BODY]: one request; the answer is printed as JSON.
api() {
	if [ $# -ge 4 ]; then
		curl -s -X "$2" -H "Authorization: Bearer $1" -H 'Content-Type: application/json' -d "$4" "$NRM$3"
	else
		curl -s -X "$2" -H "Authorization: Bearer $1" "$NRM$3"
	fi
}

step() { printf '\n== %s\n' "$*"; }

for who in OFFICER:officer@police.demo SHELTER:caseworker@shelter.demo DM:decisions@authority.demo \
	DM2:decisions2@authority.demo ADMIN:sysadmin@commission.demo; do
	token=$(login "${who#*:}")
	if [ -z "$token" ]; then
		echo "sign-in failed for ${who#*:}: a TOTP code is accepted once, so wait for the next 30-second step" >&2
		exit 1
	fi
	eval "${who%%:*}=\$token"
done

step "1. The officer registers a presumed victim (sections sealed to the police)"
CASE=$(api "$OFFICER" POST /api/v1/cases "$(cat <<'JSON'
{"route": "nrm", "identified_on": "2026-11-20", "region": "MA-06", "gender": "female",
 "age_group": "adult", "nationalities": ["NG"], "exploitation_types": ["sexual", "labour"],
 "exploitation_location": "both", "needs": ["shelter", "medical"], "languages": ["fr"],
 "protection_status": "asylum_seeker",
 "consent": {"assistance": true, "nrm_referral": true, "data_sharing": true},
 "identity": {"full_name": "Demo Person", "date_of_birth": "1999-04-02"},
 "narrative": {"account": "Recruited for work abroad, documents taken."}}
JSON
)" | jq -r .id)
echo "case $CASE"

step "2. A form with mistakes: every failing field is named"
api "$OFFICER" POST /api/v1/cases '{"route": "nrm", "gender": "f", "nationalities": ["NG", "Nigeria"]}' | jq .error.fields

step "3. Referral to the demo shelter, which accepts"
SHELTER_ORG=$(api "$SHELTER" GET /api/v1/me | jq -r .org_id)
# The shelter's entry in the provider directory (places, languages).
api "$ADMIN" PUT "/api/v1/providers/$SHELTER_ORG" '{"name": "Demo shelter", "region": "MA-06", "regions": ["MA-06"],
 "genders": ["female"], "accepts_adults": true, "accepts_dependants": true, "languages": ["en", "fr", "ar"],
 "availability": "24/7", "active": true, "services": [{"service": "shelter", "places": 5}]}' >/dev/null
REFERRAL=$(api "$OFFICER" POST /api/v1/referrals "{\"case_id\": \"$CASE\", \"service\": \"shelter\", \"urgency\": \"emergency\", \"candidates\": [\"$SHELTER_ORG\"]}")
echo "$REFERRAL" | jq -c "{id, status, error}"
REF=$(echo "$REFERRAL" | jq -r .id)
api "$SHELTER" POST "/api/v1/referrals/$REF/accept" | jq -c "{id, status, error}"

step "4. The shelter's caseload"
api "$SHELTER" GET /api/v1/cases | jq -c '.caseload[]'

step "5. Submission to the competent authority: the reasonable-grounds due date"
api "$OFFICER" POST "/api/v1/cases/$CASE/submit" >/dev/null
api "$DM" GET /api/v1/decisions/queue | jq -c '.cases[]'

step "6. Reasonable grounds: the reflection period starts"
api "$DM" POST "/api/v1/cases/$CASE/transitions" '{"to": "rg_positive", "reason": "Deceptive recruitment and retained documents."}' |
	jq -c '{decision_state, reflection_ends, allowed, not_yet}'

step "7. The person asks to proceed before the period ends: conclusive grounds"
api "$OFFICER" POST "/api/v1/cases/$CASE/entries" '{"type": "proceed_early_request", "content": {"asked": "in person, with an interpreter"}}' |
	jq -c '{id, type}'
api "$DM" POST "/api/v1/cases/$CASE/transitions" '{"to": "cg_positive", "reason": "Exploitation established.", "proceed_early": true}' |
	jq -c '{decision_state, history: [.history[] | {track, from, to, decided_at}]}'

step "8. The letters, in French, with their reasons"
api "$OFFICER" GET "/api/v1/cases/$CASE/entries" | jq -r '.entries[] | select(.type == "decision_letter") | .content.text'

step "9. The certificate"
api "$OFFICER" GET "/api/v1/cases/$CASE/certificate" | jq .

step "10. A negative decision needs a second decision maker"
OTHER=$(api "$OFFICER" POST /api/v1/cases "$(cat <<'JSON'
{"route": "nrm", "identified_on": "2026-11-21", "region": "MA-06", "gender": "male", "age_group": "adult",
 "nationalities": ["SN"], "exploitation_types": ["labour"], "exploitation_location": "in_country",
 "needs": ["legal_aid"], "languages": ["ar"], "consent": {"assistance": true, "nrm_referral": true, "data_sharing": false}}
JSON
)")
echo "$OTHER" | jq -c '{id, reference, error}'
OTHER=$(echo "$OTHER" | jq -r .id)
api "$OFFICER" POST "/api/v1/cases/$OTHER/submit" | jq -c "{status, error}"
api "$DM" POST "/api/v1/cases/$OTHER/transitions" '{"to": "rg_negative", "reason": "No indicator of exploitation was found."}' | jq -r ".message // .error.message"
api "$DM2" GET /api/v1/decisions/queue | jq -c '.cases[] | select(.awaits_you)'
api "$DM2" POST "/api/v1/cases/$OTHER/transitions" '{"to": "rg_negative"}' | jq -c '{decision_state, reconsider_until}'
api "$OFFICER" GET "/api/v1/cases/$OTHER/entries" | jq -r '.entries[] | select(.type == "decision_letter") | .content.text'

# Each party's inbox: the shelter was offered the referral, the police told of its acceptance.
api "$SHELTER" GET "/api/v1/notifications" | jq -c '[.notifications[] | {kind, object_type, read_at}]'
api "$OFFICER" GET "/api/v1/notifications" | jq -c '[.notifications[] | {kind, object_type, read_at}]'
