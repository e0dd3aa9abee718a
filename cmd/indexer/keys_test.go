package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/docent-search/docent/internal/auth"
	"github.com/docent-search/docent/internal/postgres"
	"github.com/docent-search/docent/internal/postgres/pgtest"
	"github.com/jackc/pgx/v5/pgxpool"
)

func TestKeysCommands(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDatabase(t)
	ctx := context.Background()
	out, err := indexer(t, db, "keys", "create", "nightly", "--user", "svc-report", "--groups", "hr,finance", "--expires", "30d")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	token := lines[len(lines)-1]
	if !strings.HasPrefix(token, auth.KeyPrefix) || strings.Contains(token, " ") {
		t.Fatalf("last line %q is not the key alone:\n%s", token, out)
	}
	pool := openPool(t, db)
	k, err := auth.UseKey(ctx, pool, token)
	if err != nil || k.User != "svc-report" || !slices.Equal(k.Groups, []string{"hr", "finance"}) || k.Scope != auth.ScopeRead {
		t.Fatalf("stored key = %+v, %v", k, err)
	}

	if _, err := indexer(t, db, "keys", "create", "root", "--user", "svc-report", "--groups", "hr", "--scope", "admin"); err == nil || !strings.Contains(err.Error(), "admin group") {
		t.Errorf("admin key without the admin group: %v", err)
	}
	if _, err := indexer(t, db, "keys", "create", "nightly", "--user", "svc-report"); err == nil || !strings.Contains(err.Error(), "already has a key") {
		t.Errorf("second live key of the same name: %v", err)
	}
	if _, err := indexer(t, db, "keys", "create", "x", "--user", "svc-report", "--expires", "soon"); err == nil || !strings.Contains(err.Error(), "expires") {
		t.Errorf("bad --expires: %v", err)
	}
	if _, err := indexer(t, db, "keys", "create", "ops", "--user", "root", "--groups", "docent-admins", "--scope", "admin"); err != nil {
		t.Fatal(err)
	}

	out, err = indexer(t, db, "keys", "list", "--user", "svc-report")
	if err != nil || !strings.Contains(out, "nightly") || !strings.Contains(out, token[:13]) || strings.Contains(out, token) || strings.Contains(out, "ops") {
		t.Errorf("keys list --user svc-report: %v\n%s", err, out)
	}
	if out, _ = indexer(t, db, "keys", "list"); !strings.Contains(out, "ops") || !strings.Contains(out, "nightly") {
		t.Errorf("keys list:\n%s", out)
	}

	if _, err := indexer(t, db, "keys", "revoke", "nightly", "--user", "svc-report"); err != nil {
		t.Fatal(err)
	}
	if _, err := auth.UseKey(ctx, pool, token); !errors.Is(err, auth.ErrInvalid) {
		t.Errorf("revoked key: %v, want ErrInvalid", err)
	}
	if _, err := indexer(t, db, "keys", "revoke", "nightly", "--user", "svc-report"); err == nil || !strings.Contains(err.Error(), "no live key") {
		t.Errorf("revoking twice: %v", err)
	}
	entries, err := auth.AuditLog(ctx, pool, 10)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action+" "+e.Target)
	}
	if !slices.Equal(actions, []string{"key revoked svc-report/nightly", "key created root/ops", "key created svc-report/nightly"}) {
		t.Errorf("audit log = %q", actions)
	}
}

// TestKeyNamesCannotDriveTheTerminal: any signed-in reader names their own API keys on the
// web's /keys page, and `indexer keys list` prints the names to an admin's terminal, as the
// status command prints file names: an escape sequence in a name (retitle the terminal, clear
// the screen) or a line break (a fake row) must arrive escaped. (Fails: names are printed raw.)
func TestKeyNamesCannotDriveTheTerminal(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDatabase(t)
	ctx := context.Background()
	pool := openPool(t, db)
	if _, _, err := auth.CreateKey(ctx, pool, auth.NewKey{User: "ann", Name: "laptop\x1b]0;pwned\a\nbob  fake\u202e", Scope: auth.ScopeRead, TTL: 24 * time.Hour}); err != nil {
		t.Fatal(err)
	}
	out, err := indexer(t, db, "keys", "list")
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(out, "\x1b\a\u202e") || strings.Contains(out, "\nbob  fake") {
		t.Errorf("a key name reached the terminal unescaped:\n%q", out)
	}
}

// TestRootsAndGroupsCannotDriveTheTerminal: a source's folder is named by whoever made it on the
// share (an admin adds it from the browser), and groups by the identity provider or the proxy
// (a key's, rules'); `sources list`, `status` and `keys list` printed both raw to an admin's
// terminal. They arrive escaped, like file and key names.
func TestRootsAndGroupsCannotDriveTheTerminal(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDatabase(t)
	ctx := context.Background()
	pool := openPool(t, db)
	root := filepath.Join(t.TempDir(), "share\x1b]0;pwned\a\nfake row\u202e")
	if err := os.Mkdir(root, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := indexer(t, db, "sources", "add", "odd", root, "--groups", "staff\x1b[2J", "--rule", "hr/**=hr\x1b[2J"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if _, _, err := auth.CreateKey(ctx, pool, auth.NewKey{User: "ann", Name: "laptop", Groups: []string{"hr\x1b]0;pwned\a"}, Scope: auth.ScopeRead, TTL: 24 * time.Hour}); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"sources", "list"}, {"status", "odd"}, {"keys", "list"}} {
		out, err := indexer(t, db, args...)
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
		if strings.ContainsAny(out, "\x1b\a\u202e") || strings.Contains(out, "\nfake row") {
			t.Errorf("indexer %v printed a folder or group unescaped:\n%q", args, out)
		}
	}
}

// openPool opens the database at url for the test, closed when it ends.
func openPool(t *testing.T, url string) *pgxpool.Pool {
	t.Helper()
	pool, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}
