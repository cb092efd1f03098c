// Package frontline serves the pages of the people who work a case:
// frontline officers (their cases, registration, notes, referral,
// submission), provider caseworkers (the referral inbox, acceptance,
// arrival, places), decision makers (the queue, decisions, letters), and
// children's guardians; and what the person is entitled to be handed (who
// accessed their file, a copy of it), printed in the person's language.
//
// Every call goes to intake or referral through the narrow interfaces in
// deps.go, with the signed-in user's token in the context (page.Request.Ctx),
// so the services' own authorisation and audit apply. Independent reads
// of one page are made together (page.Together).
package frontline
