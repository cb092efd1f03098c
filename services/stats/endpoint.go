package stats

import (
	"context"

	"github.com/go-kit/kit/endpoint"

	"github.com/nrm-project/nrm/pkg/authz"
)

// Authorisation objects (policies/policy.csv).
const (
	ObjectTables   = "stats.tables"   // read
	ObjectReleases = "stats.releases" // create, read
)

// Endpoints are the stats service's endpoints.
type Endpoints struct {
	Tables        endpoint.Endpoint
	Table         endpoint.Endpoint
	Report        endpoint.Endpoint
	AnnualReport  endpoint.Endpoint
	CreateRelease endpoint.Endpoint
	ReleaseTable  endpoint.Endpoint
	Releases      endpoint.Endpoint
	Ledger        endpoint.Endpoint
	Series        endpoint.Endpoint
}

// MakeServerEndpoints wraps s: authn authenticates (production passes
// auth.Middleware(authenticator)), enf authorises, and denials are
// recorded through rec (the *Stats itself).
func MakeServerEndpoints(s Service, authn endpoint.Middleware, enf *authz.Enforcer, rec authz.DenialRecorder) Endpoints {
	wrap := func(object, action string, e endpoint.Endpoint) endpoint.Endpoint {
		return authn(enf.Middleware(object, action, rec)(e))
	}
	return Endpoints{
		Tables:        wrap(ObjectTables, "read", makeTablesEndpoint(s)),
		Table:         wrap(ObjectTables, "read", makeTableEndpoint(s)),
		Report:        wrap(ObjectTables, "read", makeReportEndpoint(s)),
		AnnualReport:  wrap(ObjectTables, "read", makeAnnualReportEndpoint(s)),
		CreateRelease: wrap(ObjectReleases, "create", makeCreateReleaseEndpoint(s)),
		ReleaseTable:  wrap(ObjectReleases, "read", makeReleaseTableEndpoint(s)),
		Releases:      wrap(ObjectReleases, "read", makeReleasesEndpoint(s)),
		Ledger:        wrap(ObjectReleases, "read", makeLedgerEndpoint(s)),
		Series:        wrap(ObjectTables, "read", makeSeriesEndpoint(s)),
	}
}

type tablesResponse struct {
	Tables []TableInfo `json:"tables"`
	Err    error       `json:"-"`
}

func (r tablesResponse) Failed() error { return r.Err }

type tableRequest struct {
	Release, Name, Period, Format string
	Epsilon                       float64
}

type tableResponse struct {
	Table  Table
	Format string
	Err    error `json:"-"`
}

func (r tableResponse) Failed() error { return r.Err }

type reportRequest struct{ Year int }

type reportResponse struct {
	HTML []byte
	Err  error `json:"-"`
}

func (r reportResponse) Failed() error { return r.Err }

type annualReportResponse struct {
	Report AnnualReport
	Err    error `json:"-"`
}

func (r annualReportResponse) Failed() error { return r.Err }

type releaseResponse struct {
	Release Release
	Err     error `json:"-"`
}

func (r releaseResponse) Failed() error { return r.Err }

type periodRequest struct{ Period string }

type releasesResponse struct {
	Releases []Release `json:"releases"`
	Err      error     `json:"-"`
}

func (r releasesResponse) Failed() error { return r.Err }

type ledgerResponse struct {
	Period  string        `json:"period"`
	Entries []LedgerEntry `json:"entries"`
	Err     error         `json:"-"`
}

func (r ledgerResponse) Failed() error { return r.Err }

type seriesRequest struct{ Name, From, To string }

type seriesResponse struct {
	Series Series
	Err    error `json:"-"`
}

func (r seriesResponse) Failed() error { return r.Err }

var (
	_ endpoint.Failer = releasesResponse{}
	_ endpoint.Failer = ledgerResponse{}
	_ endpoint.Failer = seriesResponse{}
	_ endpoint.Failer = tablesResponse{}
	_ endpoint.Failer = tableResponse{}
	_ endpoint.Failer = reportResponse{}
	_ endpoint.Failer = annualReportResponse{}
	_ endpoint.Failer = releaseResponse{}
)

func makeTablesEndpoint(s Service) endpoint.Endpoint {
	return func(ctx context.Context, _ any) (any, error) {
		ts, err := s.Tables(ctx)
		return tablesResponse{Tables: ts, Err: err}, nil
	}
}

func makeTableEndpoint(s Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(tableRequest)
		t, err := s.Table(ctx, req.Name, req.Period)
		return tableResponse{Table: t, Format: req.Format, Err: err}, nil
	}
}

func makeReportEndpoint(s Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		h, err := s.Report(ctx, request.(reportRequest).Year)
		return reportResponse{HTML: h, Err: err}, nil
	}
}

func makeAnnualReportEndpoint(s Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		r, err := s.AnnualReport(ctx, request.(reportRequest).Year)
		return annualReportResponse{Report: r, Err: err}, nil
	}
}

func makeCreateReleaseEndpoint(s Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		r, err := s.CreateRelease(ctx, request.(ReleaseSpec))
		return releaseResponse{Release: r, Err: err}, nil
	}
}

func makeReleaseTableEndpoint(s Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(tableRequest)
		t, err := s.ReleaseTable(ctx, req.Release, req.Name, req.Period, req.Epsilon)
		return tableResponse{Table: t, Format: req.Format, Err: err}, nil
	}
}

func makeReleasesEndpoint(s Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		rs, err := s.Releases(ctx, request.(periodRequest).Period)
		return releasesResponse{Releases: rs, Err: err}, nil
	}
}

func makeLedgerEndpoint(s Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		p := request.(periodRequest).Period
		es, err := s.Ledger(ctx, p)
		return ledgerResponse{Period: p, Entries: es, Err: err}, nil
	}
}

func makeSeriesEndpoint(s Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(seriesRequest)
		sr, err := s.Series(ctx, req.Name, req.From, req.To)
		return seriesResponse{Series: sr, Err: err}, nil
	}
}
