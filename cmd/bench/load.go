package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// serverProc is the real server binary, started for a load run.
type serverProc struct {
	cmd  *exec.Cmd
	base string
	done chan error
	log  bytes.Buffer
}

// startServer builds nothing: bin is cmd/server built by buildServer. Users come from a
// trusted proxy header, as behind SSO, so each simulated user is rate-limited on its own. env
// adds or overrides settings.
func startServer(ctx context.Context, bin, dbURL string, env ...string) (*serverProc, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := l.Addr().String()
	l.Close()
	p := &serverProc{base: "http://" + addr, done: make(chan error, 1)}
	p.cmd = exec.Command(bin)
	// Every simulated user is admitted (DOCENT_MAX_INFLIGHT=64): these runs measure latency
	// under load and requests lost at shutdown, which the server's 503s for a full server
	// (admission control) would hide.
	p.cmd.Env = append(os.Environ(), "DATABASE_URL="+dbURL, "DOCENT_ADDR="+addr, "DOCENT_TRUSTED_PROXIES=127.0.0.1/32",
		"DOCENT_PUBLIC_URL="+p.base, "DOCENT_METRICS_ADDR=off", "DOCENT_ASK_RATE=100000", "DOCENT_MAX_INFLIGHT=64",
		"DOCENT_WORKERS=0", "DOCENT_LOG_LEVEL=warn", "DOCENT_SHUTDOWN_TIMEOUT=30s")
	p.cmd.Env = append(p.cmd.Env, env...) // the last value of a variable wins
	p.cmd.Stdout, p.cmd.Stderr = &p.log, &p.log
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { p.done <- p.cmd.Wait() }()
	for end := time.Now().Add(60 * time.Second); time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
		if resp, err := http.Get(p.base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p, nil
			}
		}
		select {
		case err := <-p.done:
			return nil, fmt.Errorf("the server exited (%v):\n%s", err, p.log.String())
		default:
		}
	}
	p.cmd.Process.Kill()
	return nil, fmt.Errorf("the server did not become ready:\n%s", p.log.String())
}

// peakRSS is the server's peak resident set size, from /proc.
func (p *serverProc) peakRSS() int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb int64
			fmt.Sscanf(strings.TrimSpace(rest), "%d", &kb)
			return kb << 10
		}
	}
	return 0
}

// stop asks the server to shut down gracefully and waits for it.
func (p *serverProc) stop() error {
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		return err
	case <-time.After(60 * time.Second):
		p.cmd.Process.Kill()
		return errors.New("the server did not stop within 60 s of SIGTERM")
	}
}

// buildServer builds cmd/server into a temporary folder that cleanup removes.
func buildServer(tags ...string) (bin string, cleanup func(), err error) {
	dir, err := os.MkdirTemp("", "docent-load-")
	if err != nil {
		return "", nil, err
	}
	bin = filepath.Join(dir, "docent-server")
	if out, err := exec.Command("go", "build", "-tags", strings.Join(tags, ","), "-o", bin, "./cmd/server").CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return "", nil, fmt.Errorf("building the server: %v\n%s", err, out)
	}
	return bin, func() { os.RemoveAll(dir) }, nil
}

// outcome counts what a load run's requests got.
type outcome struct {
	mu        sync.Mutex
	lat       latencies // every answered request's
	ok        latencies // the 200s'
	status    map[int]int
	refused   int // connection refused: the server was no longer accepting
	lost      int // accepted, then no response: what a graceful shutdown must never do
	lostError string
}

func (o *outcome) add(took time.Duration, status int, err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	switch {
	case err == nil:
		o.lat = append(o.lat, took)
		if status == http.StatusOK {
			o.ok = append(o.ok, took)
		}
		o.status[status]++
	case errors.Is(err, syscall.ECONNREFUSED):
		o.refused++
	default:
		o.lost++
		o.lostError = err.Error()
	}
}

func (o *outcome) count(pred func(int) bool) int {
	n := 0
	for s, c := range o.status {
		if pred(s) {
			n += c
		}
	}
	return n
}

// rate is the outcome with its requests per second over d.
func (o *outcome) rate(d time.Duration) string {
	return fmt.Sprintf("%.0f req/s, %s", float64(len(o.lat))/d.Seconds(), o)
}

func (o *outcome) String() string {
	slices.Sort(o.lat)
	return fmt.Sprintf("%d requests, %d 5xx, %d other non-200, p50/p95/p99 %s", len(o.lat),
		o.count(func(s int) bool { return s >= 500 }), o.count(func(s int) bool { return s != 200 && s < 500 }), o.lat)
}

// users runs n simulated users against the server until stop is closed, each sending the
// next request as soon as the last is answered.
func users(n int, stop <-chan struct{}, request func(user, i int) (*http.Request, error)) *outcome {
	return usersRetrying(n, stop, false, request)
}

// usersRetrying is users where, with retryAfter, a user refused with 503 waits the
// Retry-After it was given (1 s when none) before its next request, as a polite client does.
func usersRetrying(n int, stop <-chan struct{}, retryAfter bool, request func(user, i int) (*http.Request, error)) *outcome {
	out := &outcome{status: map[int]int{}}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: n}, Timeout: 60 * time.Second}
	var wg sync.WaitGroup
	for u := range n {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				req, err := request(u, i)
				if err != nil {
					out.add(0, 0, err)
					return
				}
				start := time.Now()
				resp, err := client.Do(req)
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				status := 0
				if resp != nil {
					status = resp.StatusCode
				}
				out.add(time.Since(start), status, err)
				if retryAfter && status == http.StatusServiceUnavailable {
					wait := time.Second
					if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil {
						wait = time.Duration(secs) * time.Second
					}
					select {
					case <-stop:
					case <-time.After(wait):
					}
				}
			}
		})
	}
	go func() { <-stop; client.CloseIdleConnections() }()
	wg.Wait()
	return out
}

func readQuestions(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var qs []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var q struct{ Text string }
		if err := json.Unmarshal(sc.Bytes(), &q); err == nil && q.Text != "" {
			qs = append(qs, q.Text)
		}
	}
	return qs, sc.Err()
}

// askLoad has 50 users ask the sample handbook questions through the server binary for a
// minute (extractive answers), reports latency, errors and the server's peak RSS, then stops
// the server with SIGTERM under the same load and counts requests lost.
func askLoad(ctx context.Context, adminURL string, o options, r *report) error {
	bin, cleanup, err := buildServer()
	if err != nil {
		return err
	}
	defer cleanup()
	dbURL, drop, err := handbookDatabase(ctx, adminURL)
	if err != nil {
		return err
	}
	defer drop()
	questions, err := readQuestions("testdata/handbook-eval/queries.jsonl")
	if err != nil {
		return err
	}
	srv, err := startServer(ctx, bin, dbURL)
	if err != nil {
		return err
	}
	ask := askRequest(srv.base, questions)
	r.section("Server under load", `The server binary (cmd/server) with the built-in embedder and extractive answers, users signed
in through a trusted-proxy header, the per-user rate limit lifted (DOCENT_ASK_RATE=100000) and
every user admitted at once (DOCENT_MAX_INFLIGHT=64), each user sending the next request as soon as the last is answered. Peak RSS is the server
process's (VmHWM). Graceful shutdown: SIGTERM under the same load; a request the server had
accepted and then dropped counts as lost, one refused after the listener closed does not.`,
		"| Run | Result | Peak server RSS |", "| --- | --- | --- |")
	stop := make(chan struct{})
	time.AfterFunc(o.askFor, func() { close(stop) })
	res := users(50, stop, ask)
	rss := srv.peakRSS()
	r.row("| 50 users asking, %s, sample handbook | %s | %d MB |", o.askFor, res, rss>>20)
	r.target(fmt.Sprintf("50 users asking for %s: no 5xx", o.askFor), res.count(func(s int) bool { return s >= 500 }) == 0 && res.lost == 0, res.String())

	stop = make(chan struct{})
	var shut *outcome
	var wg sync.WaitGroup
	wg.Go(func() { shut = users(50, stop, ask) })
	time.Sleep(3 * time.Second)
	began := time.Now()
	stopErr := srv.stop()
	took := time.Since(began)
	close(stop)
	wg.Wait()
	r.row("| SIGTERM under the same load | exit %v after %s; %s; %d refused after closing; %d lost | |", errOr(stopErr, "0"), ms(took), shut, shut.refused, shut.lost)
	r.target("graceful shutdown under load loses no accepted request", stopErr == nil && shut.lost == 0,
		fmt.Sprintf("%d lost %s", shut.lost, shut.lostError))
	return nil
}

func errOr(err error, ok string) string {
	if err != nil {
		return err.Error()
	}
	return ok
}

// searchLoad has 16 clients search through the server binary on db for o.serveFor.
func searchLoad(ctx context.Context, dbURL string, n int, queries []string, o options, r *report) error {
	bin, cleanup, err := buildServer()
	if err != nil {
		return err
	}
	defer cleanup()
	srv, err := startServer(ctx, bin, dbURL)
	if err != nil {
		return err
	}
	defer srv.stop()
	res := searchers(srv.base, queries, o.clients, o.serveFor)
	r.target(fmt.Sprintf("server binary: %d searchers for %s on %d passages (built-in embedder), no 5xx; peak server RSS %d MB",
		o.clients, o.serveFor, n, srv.peakRSS()>>20), res.count(func(s int) bool { return s >= 500 }) == 0 && res.lost == 0, res.rate(o.serveFor))
	return nil
}

// askRequest returns the request of client user's i-th question to the server at base: POST
// /api/ask, signed in as userNN through the trusted header, cycling through questions.
func askRequest(base string, questions []string) func(user, i int) (*http.Request, error) {
	return func(user, i int) (*http.Request, error) {
		body, _ := json.Marshal(map[string]string{"question": questions[(user*7+i)%len(questions)]})
		req, err := http.NewRequest(http.MethodPost, base+"/api/ask", bytes.NewReader(body))
		if err == nil {
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Forwarded-User", fmt.Sprintf("user%02d", user))
		}
		return req, err
	}
}
