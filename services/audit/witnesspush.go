package audit

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sethvargo/go-retry"
	"golang.org/x/mod/sumdb/tlog"
)

// WitnessSizeType is the media type of a witness's 409: its witnessed size.
const WitnessSizeType = "text/x.tlog.size"

// ErrWitnessRequest is a malformed add-checkpoint request.
var ErrWitnessRequest = errors.New("audit: malformed witness request")

// EncodeWitnessRequest is the body of an add-checkpoint request, after
// C2SP tlog-witness: "old <size>", one base64 consistency-proof hash a
// line, an empty line, then the signed checkpoint.
func EncodeWitnessRequest(oldSize int64, proof []tlog.Hash, msg []byte) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "old %d\n", oldSize)
	for _, h := range proof {
		b.WriteString(base64.StdEncoding.EncodeToString(h[:]) + "\n")
	}
	b.WriteString("\n")
	b.Write(msg)
	return b.Bytes()
}

// DecodeWitnessRequest parses an add-checkpoint request body.
func DecodeWitnessRequest(body []byte) (oldSize int64, proof []tlog.Hash, msg []byte, err error) {
	head, msg, ok := bytes.Cut(body, []byte("\n\n"))
	if !ok {
		return 0, nil, nil, ErrWitnessRequest
	}
	lines := strings.Split(string(head), "\n")
	size, ok := strings.CutPrefix(lines[0], "old ")
	if !ok {
		return 0, nil, nil, ErrWitnessRequest
	}
	if oldSize, err = strconv.ParseInt(size, 10, 64); err != nil || oldSize < 0 {
		return 0, nil, nil, ErrWitnessRequest
	}
	for _, l := range lines[1:] {
		h, err := base64.StdEncoding.DecodeString(l)
		if err != nil || len(h) != tlog.HashSize || len(proof) == 64 {
			return 0, nil, nil, ErrWitnessRequest
		}
		proof = append(proof, tlog.Hash(h))
	}
	return oldSize, proof, msg, nil
}

// witnessURL says whether w is a witness reached over HTTP: https, or
// plain http to this machine only (a witness beside the server).
func witnessURL(w string) bool {
	u, err := url.Parse(w)
	if err != nil {
		return false
	}
	if u.Scheme == "https" {
		return true
	}
	host := u.Hostname()
	ip := net.ParseIP(host)
	return u.Scheme == "http" && (host == "localhost" || (ip != nil && ip.IsLoopback()))
}

// Witness pushes are retried with exponential backoff on network errors,
// 5xx and 429; a refusal (403, 422: a fork) is final and logged.
var witnessBackoff = func() retry.Backoff {
	return retry.WithMaxRetries(4, retry.WithJitterPercent(20, retry.NewExponential(500*time.Millisecond)))
}

// pushHTTP delivers cp to the witness at w, which last witnessed the
// size held in known (0: unknown), with a consistency proof from there;
// a 409 naming another size is answered once with a proof from it.
func (l *Log) pushHTTP(ctx context.Context, w string, cp Checkpoint, known *int64) ([]byte, error) {
	var answer []byte
	err := retry.Do(ctx, witnessBackoff(), func(ctx context.Context) error {
		for range 2 {
			status, body, err := l.postWitness(ctx, w, cp, *known)
			switch {
			case err != nil:
				return retry.RetryableError(err)
			case status/100 == 2:
				*known = cp.Size
				answer = body
				return nil
			case status == http.StatusConflict:
				size, perr := strconv.ParseInt(strings.TrimSpace(string(body)), 10, 64)
				if perr != nil || size < 0 || size > cp.Size {
					return fmt.Errorf("witness answered 409 with size %q", body)
				}
				*known = size
				continue
			case status == http.StatusTooManyRequests || status >= 500:
				return retry.RetryableError(fmt.Errorf("witness answered %d", status))
			default:
				return fmt.Errorf("witness refused the checkpoint (%d): %.200s", status, body)
			}
		}
		return errors.New("witness keeps answering 409")
	})
	return answer, err
}

func (l *Log) postWitness(ctx context.Context, w string, cp Checkpoint, old int64) (int, []byte, error) {
	var proof []tlog.Hash
	if old > 0 && old < cp.Size {
		p, err := tlog.ProveTree(cp.Size, old, dbHashReader(ctx, l.db))
		if err != nil {
			return 0, nil, fmt.Errorf("consistency proof from %d: %w", old, err)
		}
		proof = p
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w, bytes.NewReader(EncodeWitnessRequest(old, proof, cp.Note)))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "text/plain; charset=utf-8")
	resp, err := l.cfg.HTTPClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	return resp.StatusCode, body, nil
}
