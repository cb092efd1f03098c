// Package routing ranks the provider directory for a referral. Its
// configuration is routing.json, embedded here (Embedded); a routing.json
// in the --policies directory replaces it (Load). For a case's
// service, region, profile, group (1 + dependants), languages and urgency,
// hard filters come first: active, offers the service, serves the region
// or is national, accepts the profile (a child needs a provider accepting
// children, gender lists are respected, dependants for place-based
// services), room for the group (the whole group for place-based services
// such as shelter, one place otherwise). The rest are scored:
//
//	region:    same_region (works from it) > neighbour_region (adjacency) > national > other_region
//	language:  + language_match when one of the person's languages is spoken
//	emergency: + open_24_7
//	load:      - load × places taken / places
//	response:  - response_time × min(median answer time / slow_response, 1) (half when no history)
//
// ties broken by organisation id. Every candidate carries its reason codes.
//
// It is pure: no database, no users, no audit. The referral service hands
// it the routable providers (package directory, below it) and a Profile
// of codes, never anything that names the person, and stores and audits
// what it decides. The same Policy carries the lifecycle's numbers that
// routing.json configures: deadlines and fan-out per urgency, the sections
// a provider needs per service, the legal bases of external referrals.
package routing
