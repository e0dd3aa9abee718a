package access_test

import (
	"context"
	"slices"
	"testing"

	"github.com/docent-search/docent/internal/access"
	"github.com/docent-search/docent/internal/postgres/pgtest"
	"github.com/jackc/pgx/v5"
)

// TestVisible runs the condition in PostgreSQL over rows with every kind of groups, for
// readers with none, one and several groups.
func TestVisible(t *testing.T) {
	t.Parallel()
	pool := pgtest.NewPool(t)
	rows := `(VALUES ('public', '{}'::text[]), ('hr', '{hr}'), ('hr+sales', '{hr,sales}'), ('eng', '{eng}')) AS d(name, groups)`
	for _, c := range []struct {
		groups []string
		want   []string
	}{
		{nil, []string{"public"}},
		{[]string{}, []string{"public"}},
		{[]string{"hr"}, []string{"hr", "hr+sales", "public"}},
		{[]string{"sales", "x"}, []string{"hr+sales", "public"}},
		{[]string{"eng", "hr"}, []string{"eng", "hr", "hr+sales", "public"}},
	} {
		got, err := collect(pool.Query(context.Background(), `SELECT name FROM `+rows+` WHERE `+access.Visible("d", "$1")+` ORDER BY name`, c.groups))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("reader in %q sees %q, want %q", c.groups, got, c.want)
		}
	}
	everyone, err := collect(pool.Query(context.Background(), `SELECT name FROM `+rows+` WHERE `+access.Everyone("d")))
	if err != nil || !slices.Equal(everyone, []string{"public"}) {
		t.Errorf("visible to everyone: %q, %v; want only public", everyone, err)
	}
}

func collect(rows pgx.Rows, err error) ([]string, error) {
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}
