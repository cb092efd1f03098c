package audit

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"

	httptransport "github.com/go-kit/kit/transport/http"
	"github.com/go-kit/log"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/kit"
)

// MakeHTTPHandler serves the auditors' API:
//
//	GET /api/v1/audit/events?object_type=&object_id=&actor=&org=&action=&outcome=&from=&to=&after=&limit=
//	GET /api/v1/audit/events/{id}/proof?size=N
//	GET /api/v1/audit/checkpoints/latest   (text/plain signed note)
//	GET /api/v1/audit/consistency?from=N&to=M
//	GET /api/v1/audit/alerts?after=&limit=
func MakeHTTPHandler(e Endpoints, logger log.Logger) http.Handler {
	opts := kit.ServerOptions(logger, auth.TokenToContext)
	m := http.NewServeMux()
	m.Handle("GET /api/v1/audit/events", httptransport.NewServer(e.Events, decodeEventsRequest, encodeJSON, opts...))
	m.Handle("GET /api/v1/audit/events/{id}/proof", httptransport.NewServer(e.Proof, decodeProofRequest, encodeJSON, opts...))
	m.Handle("GET /api/v1/audit/checkpoints/latest", httptransport.NewServer(e.LatestCheckpoint, decodeNothing, encodeCheckpoint, opts...))
	m.Handle("GET /api/v1/audit/consistency", httptransport.NewServer(e.Consistency, decodeConsistencyRequest, encodeJSON, opts...))
	m.Handle("GET /api/v1/audit/alerts", httptransport.NewServer(e.Alerts, decodeEventsRequest, encodeJSON, opts...))
	return kit.JSONErrors(m)
}

func decodeNothing(context.Context, *http.Request) (any, error) { return nil, nil }

func decodeEventsRequest(_ context.Context, r *http.Request) (any, error) {
	q, err := parseQuery(r.URL.Query())
	return eventsRequest{Query: q}, err
}

func parseQuery(v url.Values) (Query, error) {
	q := Query{
		ObjectType: v.Get("object_type"), ObjectID: v.Get("object_id"), Actor: v.Get("actor"),
		Org: v.Get("org"), Action: v.Get("action"), Outcome: v.Get("outcome"),
	}
	var err error
	for _, t := range []struct {
		name string
		dst  *time.Time
	}{{"from", &q.From}, {"to", &q.To}} {
		if s := v.Get(t.name); s != "" {
			if *t.dst, err = time.Parse(time.RFC3339Nano, s); err != nil {
				return q, ErrBadQuery
			}
		}
	}
	if s := v.Get("after"); s != "" {
		a, err := strconv.ParseInt(s, 10, 64)
		if err != nil || a < -1 {
			return q, ErrBadQuery
		}
		q.After = &a
	}
	if s := v.Get("limit"); s != "" {
		if q.Limit, err = strconv.Atoi(s); err != nil || q.Limit <= 0 {
			return q, ErrBadQuery
		}
	}
	return q, nil
}

func decodeProofRequest(_ context.Context, r *http.Request) (any, error) {
	req := proofRequest{ID: r.PathValue("id")}
	if s := r.URL.Query().Get("size"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			return nil, ErrBadSize
		}
		req.Size = n
	}
	return req, nil
}

func decodeConsistencyRequest(_ context.Context, r *http.Request) (any, error) {
	from, err1 := strconv.ParseInt(r.URL.Query().Get("from"), 10, 64)
	to, err2 := strconv.ParseInt(r.URL.Query().Get("to"), 10, 64)
	if err1 != nil || err2 != nil {
		return nil, ErrBadSize
	}
	return consistencyRequest{From: from, To: to}, nil
}

func encodeJSON(ctx context.Context, w http.ResponseWriter, response any) error {
	if kit.WriteFailure(ctx, w, response, log.NewNopLogger()) {
		return nil
	}
	var body any
	switch r := response.(type) {
	case eventsResponse:
		body = r.Page
	case proofResponse:
		body = r.Proof
	case consistencyResponse:
		body = r.Proof
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	return json.NewEncoder(w).Encode(body)
}

func encodeCheckpoint(ctx context.Context, w http.ResponseWriter, response any) error {
	if kit.WriteFailure(ctx, w, response, log.NewNopLogger()) {
		return nil
	}
	r := response.(checkpointResponse)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, err := w.Write(r.Note)
	return err
}
