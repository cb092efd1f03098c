// Package web serves the pages of the people on the front line: frontline
// officers, provider caseworkers and decision makers, and of children's
// guardians, in English, French and Arabic. What the person is entitled to
// be handed (who accessed their file, a copy of it, decision letters) is
// printed by the officer in charge in the person's own language.
//
// The national referral desk (coordinators) has its board, the placement
// of a referral that found no provider and the provider directory; the
// commission's analysts have the anonymised tables charted as server-side
// SVG, the release list, CSV export and the printable annual report.
// Those pages show every figure as the stats service publishes it: a
// suppressed cell is shown as suppressed, never as zero, and the
// perturbation is explained beside every table.
//
// This package holds the templates and static files (embedded) and wires
// three packages: page, the machinery every page shares (sessions,
// cookies, the form token, the catalogue in three languages, rendering);
// frontline, the pages of those who work a case; oversight, those of
// auditors, administrators, the national desk and the commission.
//
// Pages are rendered on the server with html/template; htmx (vendored from
// the npm registry, see static/VENDOR) only speeds up navigation, so every
// page works without script. Nothing is loaded from elsewhere, no script or
// style is inline, and a strict Content-Security-Policy says so to the
// browser.
//
// The package holds no data. It calls the other services through their
// Service interfaces with the signed-in user's own access token in the
// context, the way their HTTP transports receive it: in nrm serve those are
// the services' HTTP clients, over an in-process transport in one process
// or over mutual TLS to the services' public routes in a split deployment,
// so every authorisation rule, rate limit and audit event is the one of
// the API.
//
// The session is a cookie encrypted and authenticated with a subkey of the
// key directory (keys.PurposeWebSession): it holds the user's access and
// refresh tokens and nothing about any case. It is Secure, HttpOnly and
// SameSite=Strict, ends after an idle period and an absolute lifetime, and
// signing out ends the identity session everywhere. Form posts from another
// origin are refused (http.CrossOriginProtection) and every form carries a
// token bound to the session as well, for browsers that send neither
// Sec-Fetch-Site nor Origin.
//
// htmx keeps no history snapshots (historyCacheSize 0): a page of a case
// must never land in the browser's local storage.
package web
