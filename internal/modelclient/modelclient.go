// Package modelclient is the HTTP layer under every call to a model server (Ollama, OpenAI or a
// compatible server, through langchaingo): it classifies each failed attempt and retries the
// ones worth retrying — 429, 5xx and connection errors — with exponential backoff and jitter,
// never other 4xx, each attempt under its own timeout.
//
// langchaingo's clients turn HTTP failures into opaque errors, so the classification comes from
// a transport that records what it saw in the request's context.
package modelclient

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"
)

// Policy says how often and how patiently to retry.
type Policy struct {
	// Attempts is the total number of tries (default 5).
	Attempts int
	// Timeout bounds one attempt (default 60s).
	Timeout time.Duration
	// Base and Max bound the backoff between attempts (defaults 500ms and 20s).
	Base, Max time.Duration
}

// HTTPClient returns the client to hand to langchaingo: it records each attempt's outcome.
func HTTPClient() *http.Client {
	return &http.Client{Transport: recorder{next: http.DefaultTransport}}
}

type attemptKey struct{}

// attempt is what the transport saw of one call.
type attempt struct {
	status  int
	connErr error
}

type recorder struct{ next http.RoundTripper }

func (r recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.next.RoundTrip(req)
	if a, ok := req.Context().Value(attemptKey{}).(*attempt); ok {
		if err != nil {
			a.connErr = err
		} else {
			a.status = resp.StatusCode
		}
	}
	return resp, err
}

// StatusError reports a model server's refusal that was not retried, or retried in vain.
type StatusError struct {
	Status int
	Err    error
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("model server answered HTTP %d: %v", e.Status, e.Err)
}

func (e *StatusError) Unwrap() error { return e.Err }

// ErrBadResponse marks a successful HTTP answer the client could not use: malformed JSON, an
// empty or incomplete result.
var ErrBadResponse = errors.New("unusable answer from the model server")

// Do calls fn until it succeeds, fails in a way not worth retrying, runs out of attempts, or
// ctx ends. fn must make its HTTP calls with the context it is given and the HTTPClient.
// started, when it returns true, stops retries: a streamed answer that began cannot be retried
// without showing the reader its start twice.
func Do(ctx context.Context, p Policy, fn func(ctx context.Context) error, started func() bool) error {
	attempts := cmp.Or(p.Attempts, 5)
	var last error
	tries := 0
	for i := range attempts {
		tries++
		a := &attempt{}
		actx, cancel := context.WithTimeout(context.WithValue(ctx, attemptKey{}, a), cmp.Or(p.Timeout, 60*time.Second))
		err := fn(actx)
		timedOut := actx.Err() != nil && ctx.Err() == nil
		cancel()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		retry := false
		switch {
		case timedOut:
			err, retry = fmt.Errorf("no answer within %s: %w", cmp.Or(p.Timeout, 60*time.Second), context.DeadlineExceeded), true
		case a.connErr != nil:
			err, retry = fmt.Errorf("cannot reach the model server: %w", a.connErr), true
		case a.status == http.StatusTooManyRequests || a.status >= 500:
			err, retry = &StatusError{Status: a.status, Err: err}, true
		case a.status >= 400:
			return &StatusError{Status: a.status, Err: err}
		case a.status >= 200 && a.status < 300:
			// The server answered, but the client could not use the answer; asking again
			// would most likely get the same.
			return fmt.Errorf("%w: %w", ErrBadResponse, err)
		}
		last = err
		if !retry || (started != nil && started()) || i == attempts-1 {
			break
		}
		if err := sleep(ctx, backoff(p, i)); err != nil {
			return err
		}
	}
	if tries > 1 {
		return fmt.Errorf("after %d attempts: %w", tries, last)
	}
	return last
}

// backoff is full-jitter exponential: uniformly random up to base·2^i, capped at max, so many
// clients recovering together do not hit the server in step.
func backoff(p Policy, i int) time.Duration {
	ceil := min(cmp.Or(p.Base, 500*time.Millisecond)<<i, cmp.Or(p.Max, 20*time.Second))
	return time.Duration(rand.Int64N(int64(ceil)) + 1)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
