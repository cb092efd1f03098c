package stats

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	httptransport "github.com/go-kit/kit/transport/http"
	"github.com/go-kit/log"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/kit"
)

// MakeHTTPHandler serves the statistics API:
//
//	GET  /api/v1/stats/tables                              the catalogue
//	GET  /api/v1/stats/tables/{name}?period=P&format=json|csv
//	GET  /api/v1/stats/report/{year}                       printable HTML
//	GET  /api/v1/stats/annual-reports/{year}               the same as data
//	POST /api/v1/stats/releases {"name","period"}          a snapshot release
//	POST /api/v1/stats/releases {"name","epsilon"}         a DP release
//	GET  /api/v1/stats/releases/{name}/tables/{table}?period=P&epsilon=E&format=json|csv
//	GET  /api/v1/stats/releases?period=P                   the release list
//	GET  /api/v1/stats/ledger?period=P                     the privacy ledger
//	GET  /api/v1/stats/tables/{name}/series?from=F&to=T    quarters or years
//
// P is a year (2026), a quarter (2026-Q4) or a month (2026-11). A table
// is served from the latest snapshot release of P; a snapshot release's
// tables need no period (or its own).
func MakeHTTPHandler(e Endpoints, logger log.Logger) http.Handler {
	opts := kit.ServerOptions(logger, auth.TokenToContext)
	enc := encodeResponse(logger)
	m := http.NewServeMux()
	m.Handle("GET /api/v1/stats/tables", httptransport.NewServer(e.Tables, decodeNothing, enc, opts...))
	m.Handle("GET /api/v1/stats/tables/{name}", httptransport.NewServer(e.Table, decodeTableRequest, enc, opts...))
	m.Handle("GET /api/v1/stats/report/{year}", httptransport.NewServer(e.Report, decodeReportRequest, enc, opts...))
	m.Handle("GET /api/v1/stats/annual-reports/{year}", httptransport.NewServer(e.AnnualReport, decodeReportRequest, enc, opts...))
	m.Handle("POST /api/v1/stats/releases", httptransport.NewServer(e.CreateRelease, decodeCreateReleaseRequest, enc, opts...))
	m.Handle("GET /api/v1/stats/releases/{release}/tables/{name}", httptransport.NewServer(e.ReleaseTable, decodeTableRequest, enc, opts...))
	m.Handle("GET /api/v1/stats/releases", httptransport.NewServer(e.Releases, decodePeriodRequest, enc, opts...))
	m.Handle("GET /api/v1/stats/ledger", httptransport.NewServer(e.Ledger, decodePeriodRequest, enc, opts...))
	m.Handle("GET /api/v1/stats/tables/{name}/series", httptransport.NewServer(e.Series, decodeSeriesRequest, enc, opts...))
	return kit.JSONErrors(m)
}

func decodeNothing(context.Context, *http.Request) (any, error) { return nil, nil }

func decodeTableRequest(_ context.Context, r *http.Request) (any, error) {
	req := tableRequest{Release: r.PathValue("release"), Name: r.PathValue("name"),
		Period: r.URL.Query().Get("period"), Format: r.URL.Query().Get("format")}
	switch req.Format {
	case "":
		req.Format = "json"
	case "json", "csv":
	default:
		return nil, ErrBadFormat
	}
	if e := r.URL.Query().Get("epsilon"); e != "" {
		v, err := strconv.ParseFloat(e, 64)
		if err != nil || !(v > 0) {
			return nil, ErrBadEpsilon
		}
		req.Epsilon = v
	}
	return req, nil
}

func decodePeriodRequest(_ context.Context, r *http.Request) (any, error) {
	return periodRequest{Period: r.URL.Query().Get("period")}, nil
}

func decodeSeriesRequest(_ context.Context, r *http.Request) (any, error) {
	q := r.URL.Query()
	return seriesRequest{Name: r.PathValue("name"), From: q.Get("from"), To: q.Get("to")}, nil
}

func decodeReportRequest(_ context.Context, r *http.Request) (any, error) {
	y, err := strconv.Atoi(r.PathValue("year"))
	if err != nil || len(r.PathValue("year")) != 4 {
		return nil, ErrBadYear
	}
	return reportRequest{Year: y}, nil
}

func decodeCreateReleaseRequest(_ context.Context, r *http.Request) (any, error) {
	var req ReleaseSpec
	if err := kit.DecodeJSON(nil, r, &req); err != nil {
		return nil, err
	}
	return req, nil
}

func encodeResponse(logger log.Logger) httptransport.EncodeResponseFunc {
	return func(ctx context.Context, w http.ResponseWriter, response any) error {
		if kit.WriteFailure(ctx, w, response, logger) {
			return nil
		}
		w.Header().Set("Cache-Control", "no-store")
		switch r := response.(type) {
		case tablesResponse:
			return writeJSON(w, http.StatusOK, r)
		case tableResponse:
			// The release, its status and the time its data is as of travel
			// with the figures in either format (JSON has them as fields).
			w.Header().Set("Stats-Release", r.Table.Release)
			w.Header().Set("Stats-Status", r.Table.Status)
			if r.Table.AsOf != nil {
				w.Header().Set("Stats-As-Of", r.Table.AsOf.Format(time.RFC3339))
			}
			if r.Format == "csv" {
				b, err := CSV(r.Table)
				if err != nil {
					return err
				}
				w.Header().Set("Content-Type", "text/csv; charset=utf-8")
				w.Header().Set("Content-Disposition", `attachment; filename="`+r.Table.Name+`-`+r.Table.Period+`-`+r.Table.Release+`.csv"`)
				_, err = w.Write(b)
				return err
			}
			return writeJSON(w, http.StatusOK, r.Table)
		case reportResponse:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
			_, err := w.Write(r.HTML)
			return err
		case annualReportResponse:
			return writeJSON(w, http.StatusOK, r.Report)
		case releaseResponse:
			return writeJSON(w, http.StatusCreated, r.Release)
		case seriesResponse:
			return writeJSON(w, http.StatusOK, r.Series)
		}
		return writeJSON(w, http.StatusOK, response)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}
