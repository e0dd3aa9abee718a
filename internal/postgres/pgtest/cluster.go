package pgtest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/docent-search/docent/internal/postgres"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Cluster is a PostgreSQL server of one test's own, for tests that stop, restart or replicate
// the server, which the shared test server must never be.
type Cluster struct {
	Dir  string // data directory
	Port int
	tb   testing.TB
}

// NewCluster creates and starts a cluster in a temporary directory; it is stopped and removed
// when the test ends. It needs PostgreSQL's server binaries (scripts/ensure-postgres.sh).
func NewCluster(tb testing.TB) *Cluster {
	tb.Helper()
	c := newCluster(tb)
	c.run("initdb", "-D", c.Dir, "-U", "docent", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
	c.start()
	return c
}

// Replica makes a streaming replica of c with pg_basebackup and starts it.
func (c *Cluster) Replica() *Cluster {
	c.tb.Helper()
	r := newCluster(c.tb)
	c.run("pg_basebackup", "-h", "127.0.0.1", "-p", strconv.Itoa(c.Port), "-U", "docent", "-D", r.Dir,
		"-R", "-X", "stream", "--checkpoint=fast")
	r.start()
	return r
}

// URL returns the URL of database db on the cluster.
func (c *Cluster) URL(db string) string {
	return fmt.Sprintf("postgres://docent@127.0.0.1:%d/%s?sslmode=disable", c.Port, db)
}

// Open creates database "docent" on the cluster and returns a pool on it, migrated; the pool
// closes when the test ends.
func (c *Cluster) Open() *pgxpool.Pool {
	c.tb.Helper()
	ctx := context.Background()
	admin := connect(c.tb, c.URL("postgres"))
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE DATABASE docent"); err != nil {
		c.tb.Fatal(err)
	}
	pool, err := postgres.Open(ctx, c.URL("docent"))
	if err != nil {
		c.tb.Fatal(err)
	}
	c.tb.Cleanup(pool.Close)
	return pool
}

// Stop shuts the server down (fast mode: sessions are disconnected).
func (c *Cluster) Stop() {
	c.tb.Helper()
	c.run("pg_ctl", "-D", c.Dir, "-m", "fast", "-w", "stop")
}

// Start starts the server again after Stop.
func (c *Cluster) Start() {
	c.tb.Helper()
	c.start()
}

func newCluster(tb testing.TB) *Cluster {
	tb.Helper()
	dir, err := os.MkdirTemp("", "docent-pg-")
	if err != nil {
		tb.Fatal(err)
	}
	c := &Cluster{Dir: filepath.Join(dir, "data"), Port: freePort(tb), tb: tb}
	if err := os.Mkdir(c.Dir, 0o700); err != nil {
		tb.Fatal(err)
	}
	if os.Geteuid() == 0 {
		// PostgreSQL refuses to run as root; scripts/localdb.sh creates this user.
		u, err := user.Lookup("postgres")
		if err != nil {
			tb.Fatalf("running PostgreSQL as root needs the postgres user: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		for _, p := range []string{dir, c.Dir} {
			if err := os.Chown(p, uid, gid); err != nil {
				tb.Fatal(err)
			}
		}
	}
	tb.Cleanup(func() {
		c.command("pg_ctl", "-D", c.Dir, "-m", "immediate", "stop").Run()
		os.RemoveAll(dir)
	})
	return c
}

func (c *Cluster) start() {
	c.tb.Helper()
	c.run("pg_ctl", "-D", c.Dir, "-w", "-t", "60", "-l", filepath.Join(c.Dir, "server.log"),
		"-o", fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c shared_buffers=32MB -c fsync=off", c.Port, c.Dir), "start")
}

// run runs a PostgreSQL program and fails the test if it fails.
func (c *Cluster) run(prog string, args ...string) {
	c.tb.Helper()
	if out, err := c.command(prog, args...).CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.Dir, "server.log"))
		c.tb.Fatalf("%s %v: %v\n%s\n%s", prog, args, err, out, log)
	}
}

// command prepares a PostgreSQL program, run as the postgres user when the test runs as root.
func (c *Cluster) command(prog string, args ...string) *exec.Cmd {
	name := c.bin(prog)
	if os.Geteuid() == 0 {
		args = append([]string{"-u", "postgres", "--", name}, args...)
		name = "runuser"
	}
	cmd := exec.Command(name, args...)
	cmd.Dir = "/"
	return cmd
}

// bin finds a PostgreSQL program: the newest server installation's, else the one on PATH.
func (c *Cluster) bin(prog string) string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Sort(sort.Reverse(sort.StringSlice(dirs)))
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, prog)); err == nil {
			return filepath.Join(d, prog)
		}
	}
	return prog
}

func freePort(tb testing.TB) int {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// WaitFor polls ok every 100 ms until it holds or d passes, and reports whether it held.
func WaitFor(d time.Duration, ok func() bool) bool {
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		if ok() {
			return true
		}
	}
	return ok()
}
