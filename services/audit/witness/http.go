package witness

import (
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/nrm-project/nrm/services/audit"
)

// Routes of a witness:
//
//	POST /add-checkpoint   audit.EncodeWitnessRequest body -> the cosigned checkpoint
//	GET  /checkpoint       -> the last cosigned checkpoint
const (
	AddPath        = "/add-checkpoint"
	CheckpointPath = "/checkpoint"
)

const maxBody = 64 << 10

// Handler serves the witness's routes.
func (w *Witness) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+AddPath, w.serveAdd)
	mux.HandleFunc("GET "+CheckpointPath, func(rw http.ResponseWriter, _ *http.Request) {
		msg := w.Latest()
		if msg == nil {
			http.Error(rw, "no checkpoint witnessed yet", http.StatusNotFound)
			return
		}
		rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = rw.Write(msg)
	})
	return mux
}

func (w *Witness) serveAdd(rw http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(body) > maxBody {
		http.Error(rw, "body too large", http.StatusRequestEntityTooLarge)
		return
	}
	oldSize, proof, msg, err := audit.DecodeWitnessRequest(body)
	if err == nil {
		var cosigned []byte
		if cosigned, err = w.Add(oldSize, proof, msg); err == nil {
			rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
			_, _ = rw.Write(cosigned)
			return
		}
	}
	var conflict *ConflictError
	switch {
	case errors.As(err, &conflict):
		rw.Header().Set("Content-Type", audit.WitnessSizeType)
		rw.WriteHeader(http.StatusConflict)
		fmt.Fprintf(rw, "%d\n", conflict.Size)
	case errors.Is(err, ErrBadSignature):
		http.Error(rw, err.Error(), http.StatusForbidden)
	case errors.Is(err, ErrFork):
		http.Error(rw, err.Error(), http.StatusUnprocessableEntity)
	case errors.Is(err, ErrBadRequest), errors.Is(err, audit.ErrWitnessRequest):
		http.Error(rw, err.Error(), http.StatusBadRequest)
	default:
		http.Error(rw, "internal error", http.StatusInternalServerError)
	}
}
