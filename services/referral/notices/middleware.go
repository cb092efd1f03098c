package notices

import "github.com/go-kit/log"

// The decorator the logging middleware is made of (observed_gen.go).
//go:generate go run ../../../internal/gendecorator

// LoggingMiddleware logs each inbox call's method, outcome and
// duration; never its arguments or results.
func LoggingMiddleware(logger log.Logger) func(Service) Service {
	return decorate.Logging(logger)
}
