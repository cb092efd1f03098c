package frontline

import "github.com/nrm-project/nrm/services/web/page"

// Config holds the services the front line's pages call.
type Config struct {
	Cases     Cases
	Referrals Referrals
	// Notices, Rights and Guardians serve the guardians' and the person's
	// rights pages; without them those pages answer not found.
	Notices   Notices
	Rights    Rights
	Guardians Guardians
}

// Pages are the front line's pages on a site.
type Pages struct {
	*page.Site
	cfg Config
}

// Register adds the front line's routes to site.
func Register(site *page.Site, cfg Config) {
	h := &Pages{Site: site, cfg: cfg}
	m := site.Mux()

	// Frontline officers.
	m.HandleFunc("GET /cases", h.Page(true, h.myCases))
	m.HandleFunc("GET /cases/new", h.Page(true, h.registrationForm))
	m.HandleFunc("POST /cases/new", h.Page(true, h.register))
	m.HandleFunc("GET /cases/{id}", h.Page(true, h.casePage))
	m.HandleFunc("POST /cases/{id}/notes", h.Page(true, h.addNote))
	m.HandleFunc("GET /cases/{id}/refer", h.Page(true, h.referForm))
	m.HandleFunc("POST /cases/{id}/refer", h.Page(true, h.refer))
	m.HandleFunc("POST /cases/{id}/submit", h.Page(true, h.submit))

	// Provider caseworkers.
	m.HandleFunc("GET /inbox", h.Page(true, h.inbox))
	m.HandleFunc("GET /referrals/{id}", h.Page(true, h.referralPage))
	m.HandleFunc("POST /referrals/{id}/{action}", h.Page(true, h.referralAction))
	m.HandleFunc("GET /places", h.Page(true, h.places))
	m.HandleFunc("POST /places", h.Page(true, h.setPlaces))

	// Decision makers.
	m.HandleFunc("GET /decisions", h.Page(true, h.queue))
	m.HandleFunc("POST /cases/{id}/decision", h.Page(true, h.decide))
	m.HandleFunc("GET /cases/{id}/letters", h.Page(true, h.letters))

	// Guardians, and the person's rights (access report, copy of the file).
	m.HandleFunc("GET /children", h.Page(true, h.children))
	m.HandleFunc("GET /children/{id}", h.Page(true, h.childCase))
	m.HandleFunc("GET /cases/{id}/access-report", h.Page(true, h.accessReport))
	m.HandleFunc("GET /cases/{id}/copy", h.Page(true, h.fileCopy))
	m.HandleFunc("POST /cases/{id}/guardian", h.Page(true, h.appointGuardian))
}
