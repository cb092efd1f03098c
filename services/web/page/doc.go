// Package page is the machinery every page of the web package shares,
// and holds no page of a role's work.
//
//   - Site routes, wraps each page (Page: session, idle and absolute
//     limits, token renewal, the form token), renders a page with the
//     layout (Render) and turns a service's error into the page a user
//     should see (Fail). Its own routes are signing in and out,
//     enrolment of the authenticator, the account and the language menu
//     (signin.go, routes.go).
//   - Session is what the encrypted cookie holds (session.go): the user's
//     tokens and who they are, sealed with XChaCha20-Poly1305 under a
//     subkey of the key directory, never anything about a case.
//   - View is what a template gets: translation, plural forms (CLDR,
//     golang.org/x/text), dates and numbers for the locale, the labels of
//     codes and of the statistics' dimensions (view.go, view_stats.go).
//   - The catalogue holds every string of the pages in English, French
//     and Arabic (messages*.go); the web package's tests fail when a
//     template uses a key missing in one language.
//
// The templates and static files are the web package's, embedded there
// and passed in Config: the pages' packages (frontline, oversight) add
// their routes to the Site's mux and render its templates by name.
package page
