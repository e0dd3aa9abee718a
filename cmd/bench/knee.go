package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	pgxvec "github.com/pgvector/pgvector-go/pgx"

	"github.com/docent-search/docent/internal/embedder"
	"github.com/docent-search/docent/internal/retrieve"
)

// kneeClients is the client count at which -curve-profile looks where the time goes: the
// server's default admission limit on two cores, where the curve bends.
const kneeClients = 4

// clockTicks is the unit of /proc's CPU times (USER_HZ, 100 on Linux everywhere in practice).
const clockTicks = 100

// kneeProbe watches one run of the curve: the machine's CPU split between the server, the
// PostgreSQL processes, the benchmark's clients and the rest; the PostgreSQL sessions of the
// curve's database that are not idle, by state and wait event ("on CPU": active, waiting on
// nothing; "idle in transaction": waiting for the server between statements); and the
// server's Go CPU profile.
type kneeProbe struct {
	start   time.Time
	before  cpuSnapshot
	server  int
	stop    chan struct{}
	wg      sync.WaitGroup
	mu      sync.Mutex
	samples int
	states  map[string]int
	errs    []string
}

// cpuSnapshot is CPU time so far, in clock ticks.
type cpuSnapshot struct {
	busy, server, postgres, self int64
}

func startKneeProbe(ctx context.Context, dbURL string, srv *serverProc, pprofAddr, profile string, d time.Duration) *kneeProbe {
	p := &kneeProbe{start: time.Now(), server: srv.cmd.Process.Pid, stop: make(chan struct{}), states: map[string]int{}}
	p.before = snapshot(p.server)
	p.wg.Go(func() {
		secs := max(1, int((d - time.Second).Seconds()))
		resp, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", pprofAddr, secs))
		if err == nil {
			defer resp.Body.Close()
			var f *os.File
			if f, err = os.Create(profile); err == nil {
				_, err = io.Copy(f, resp.Body)
				err = cmp.Or(f.Close(), err)
			}
		}
		if err != nil {
			p.fail("pprof: " + err.Error())
		}
	})
	p.wg.Go(func() {
		conn, err := pgx.Connect(ctx, dbURL)
		if err != nil {
			p.fail("pg_stat_activity: " + err.Error())
			return
		}
		defer conn.Close(context.Background())
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-tick.C:
			}
			rows, err := conn.Query(ctx, `SELECT CASE WHEN state <> 'active' THEN state WHEN wait_event IS NULL THEN 'on CPU'
				ELSE wait_event_type || ':' || wait_event END
				FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
				AND backend_type = 'client backend' AND state <> 'idle'`)
			if err != nil {
				p.fail("pg_stat_activity: " + err.Error())
				return
			}
			states, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				p.fail("pg_stat_activity: " + err.Error())
				return
			}
			p.mu.Lock()
			p.samples++
			for _, s := range states {
				p.states[s]++
			}
			p.mu.Unlock()
		}
	})
	return p
}

func (p *kneeProbe) fail(msg string) {
	p.mu.Lock()
	p.errs = append(p.errs, msg)
	p.mu.Unlock()
}

// finish ends the probe and says what it saw: cores busy by whom, and PostgreSQL's sessions
// (mean count in each state, busiest first).
func (p *kneeProbe) finish() string {
	after := snapshot(p.server)
	took := time.Since(p.start).Seconds() * clockTicks
	close(p.stop)
	p.wg.Wait()
	core := func(t int64) string { return fmt.Sprintf("%.2f", float64(t)/took) }
	busy := after.busy - p.before.busy
	server, pg, self := after.server-p.before.server, after.postgres-p.before.postgres, after.self-p.before.self
	out := fmt.Sprintf("cores busy %s: server %s, PostgreSQL %s, benchmark clients %s, other %s", core(busy), core(server), core(pg), core(self), core(max(0, busy-server-pg-self)))
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.samples > 0 {
		keys := slices.SortedFunc(maps.Keys(p.states), func(a, b string) int { return cmp.Or(p.states[b]-p.states[a], strings.Compare(a, b)) })
		var cells []string
		for _, k := range keys {
			cells = append(cells, fmt.Sprintf("%s %.2f", k, float64(p.states[k])/float64(p.samples)))
		}
		out += "; PostgreSQL sessions (mean): " + strings.Join(cells, ", ")
	}
	if len(p.errs) > 0 {
		out += "; not measured: " + strings.Join(p.errs, "; ")
	}
	return out
}

// snapshot reads the machine's busy CPU time, the server's, every PostgreSQL process's and
// this process's, from /proc (zeros where there is none).
func snapshot(server int) cpuSnapshot {
	var s cpuSnapshot
	if b, err := os.ReadFile("/proc/stat"); err == nil {
		f := strings.Fields(strings.SplitN(string(b), "\n", 2)[0]) // cpu user nice system idle iowait irq softirq steal
		for i, v := range f[1:min(len(f), 9)] {
			if n, err := strconv.ParseInt(v, 10, 64); err == nil && i != 3 && i != 4 {
				s.busy += n
			}
		}
	}
	s.server, s.self = procTicks(strconv.Itoa(server)), procTicks("self")
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		if comm, err := os.ReadFile(d + "/comm"); err == nil && strings.TrimSpace(string(comm)) == "postgres" {
			s.postgres += procTicks(filepath.Base(d))
		}
	}
	return s
}

// procTicks is a process's user and system CPU time, in clock ticks.
func procTicks(pid string) int64 {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0
	}
	// The command name, in brackets, may hold spaces: fields count from after it.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	k, _ := strconv.ParseInt(f[12], 10, 64)
	return u + k
}

// freeAddr is a loopback address no one listens on now.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// explainStatements runs each question once through Docent's search (hybrid, as the server
// runs it) on a pool whose sessions load auto_explain, with every statement's plan, actual
// times and buffers sent back as a notice. The plans go to file; the result names the
// statements that took the most time in all, with their mean and count. EXPLAIN ANALYZE's
// own timing makes each statement somewhat slower than it is.
func explainStatements(ctx context.Context, dbURL string, questions []string, file string) (string, error) {
	cfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		return "", err
	}
	type plan struct {
		ms   float64
		text string
	}
	var mu sync.Mutex
	var plans []plan
	durationRe := regexp.MustCompile(`^duration: ([0-9.]+) ms`)
	cfg.ConnConfig.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) {
		m := durationRe.FindStringSubmatch(n.Message)
		if m == nil {
			return
		}
		ms, _ := strconv.ParseFloat(m[1], 64)
		mu.Lock()
		plans = append(plans, plan{ms, n.Message})
		mu.Unlock()
	}
	cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
		for _, q := range []string{`LOAD 'auto_explain'`, `SET auto_explain.log_min_duration = 0`, `SET auto_explain.log_analyze = on`,
			`SET auto_explain.log_buffers = on`, `SET auto_explain.log_nested_statements = on`, `SET auto_explain.log_level = notice`} {
			if _, err := c.Exec(ctx, q); err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
		}
		return pgxvec.RegisterTypes(ctx, c)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return "", err
	}
	defer pool.Close()
	e, err := embedder.New(defaults())
	if err != nil {
		return "", err
	}
	s := retrieve.NewSearcher(pool, e, defaults())
	for _, q := range questions {
		if _, err := s.Search(ctx, retrieve.Query{Text: q}); err != nil {
			return "", err
		}
	}
	mu.Lock()
	defer mu.Unlock()
	// A statement is known by its text's first line, numbers and spacing aside.
	type stat struct {
		total, worst float64
		n            int
		slowest      string
	}
	stats := map[string]*stat{}
	var all strings.Builder
	var grand float64
	digits := regexp.MustCompile(`[0-9]+`)
	for _, p := range plans {
		key := "?"
		if i := strings.Index(p.text, "Query Text: "); i >= 0 {
			// The text runs up to the plan's first node.
			var text []string
			for _, line := range strings.Split(p.text[i+len("Query Text: "):], "\n") {
				if strings.Contains(line, "(cost=") {
					break
				}
				text = append(text, line)
			}
			key = strings.Join(strings.Fields(strings.Join(text, " ")), " ")
			key = digits.ReplaceAllString(key[:min(len(key), 90)], "N")
		}
		st := stats[key]
		if st == nil {
			st = &stat{}
			stats[key] = st
		}
		st.total += p.ms
		grand += p.ms
		st.n++
		if p.ms > st.worst {
			st.worst, st.slowest = p.ms, p.text
		}
		all.WriteString(p.text + "\n\n")
	}
	keys := slices.SortedFunc(maps.Keys(stats), func(a, b string) int { return cmp.Compare(stats[b].total, stats[a].total) })
	var cells []string
	for _, k := range keys[:min(len(keys), 3)] {
		st := stats[k]
		cells = append(cells, fmt.Sprintf("`%s…` %.1f ms mean over %d (%.0f%% of all statements' time)", k, st.total/float64(st.n), st.n,
			100*st.total/max(grand, 1)))
	}
	if len(keys) > 0 {
		all.WriteString("\n-- The slowest run of the statement with the most time in all:\n\n" + stats[keys[0]].slowest + "\n")
	}
	if err := os.WriteFile(file, []byte(all.String()), 0o644); err != nil {
		return "", err
	}
	return fmt.Sprintf("%d searches, one at a time, %d statements: %s", len(questions), len(plans), strings.Join(cells, "; ")), nil
}
