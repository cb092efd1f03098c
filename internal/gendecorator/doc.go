// Command gendecorator writes a service's observed decorator: the type
// that wraps a package's Service interface and reports each call (its
// method name, its start and its error) to an observer, so that every
// service's logging and instrumenting middlewares share one shape and no
// service writes the forwarding methods by hand.
//
// It runs from go generate in the service's package:
//
//	//go:generate go run ../../internal/gendecorator
//
// and writes observed_gen.go there: the type observed (fields next and
// observe, a kit.Observer), one method per method of the interface, and
// the kit.Decorator decorate that builds it. Interfaces embedded in the
// interface are expanded, whether declared in the same package or in
// another package of this module (by its import path, or through a type
// alias such as intake's Workflows = workflow.Service).
//
// Flags:
//
//	-type Service      the interface to decorate
//	-name observed     the generated type
//	-decorator decorate the kit.Decorator variable ("" for none)
//	-o observed_gen.go the output file
//	-caseid id,caseID  the observer also takes a case id: each method
//	                   passes its first string parameter of one of these
//	                   names, or the expression given as Method=expr
//	                   (parameters keep the interface's names, results
//	                   are r0, r1 and err; Method= for none), or ""
//	                   when none applies
//
// With -caseid the observer is a func(ctx, method, caseID, begin, err)
// and no decorator variable is written: the package builds the type
// itself. Intake's logger, which records a case id, would be
//
//	//go:generate go run ../../internal/gendecorator -name logged -o logged_gen.go -caseid caseID,id,Register=r0.ID,GrantPending=g.CaseID,ReviewBreakGlass=
package main
