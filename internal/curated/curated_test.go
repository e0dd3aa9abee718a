package curated_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/docent-search/docent/internal/curated"
	"github.com/docent-search/docent/internal/docenttest"
	"github.com/docent-search/docent/internal/embedder"
	"github.com/docent-search/docent/internal/postgres/pgtest"
	"github.com/docent-search/docent/internal/source"
	"github.com/docent-search/docent/internal/wordvec"
)

type testBundle struct {
	store *curated.Store
	ctx   context.Context
}

// setup is a store over a database holding one public and one HR-only document, on
// 2026-06-01, matching with the built-in embedder the threshold was calibrated with.
func setup(t *testing.T) testBundle {
	t.Helper()
	pool := pgtest.NewPool(t)
	docenttest.Index(t, pool, "docs", docenttest.Folder(t, map[string]string{
		"travel.md":    "# Travel\n\nBook flights through the travel desk at least 14 days ahead.\n",
		"hr/salary.md": "# Salaries\n\nSalary bands are reviewed every March.\n",
	}), source.Rule{Glob: "hr/**", Groups: []string{"hr"}})
	e, err := embedder.NewLocalV3(wordvec.DefaultPath)
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC) }
	return testBundle{store: &curated.Store{Pool: pool, Embedder: e, Now: now}, ctx: context.Background()}
}

func (b testBundle) create(t *testing.T, in curated.Input) int64 {
	t.Helper()
	id, err := b.store.Create(b.ctx, in, "admin")
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestCheckNamesTheField(t *testing.T) {
	t.Parallel()
	ok := curated.Input{Question: "how do I book flights", Answer: "Use the travel desk.", Owner: "travel team", ReviewBy: "2026-12-31"}
	for field, in := range map[string]curated.Input{
		"question":  {Question: "?!", Answer: ok.Answer, Owner: ok.Owner, ReviewBy: ok.ReviewBy},
		"answer":    {Question: ok.Question, Answer: " ", Owner: ok.Owner, ReviewBy: ok.ReviewBy},
		"owner":     {Question: ok.Question, Answer: ok.Answer, ReviewBy: ok.ReviewBy},
		"review_by": {Question: ok.Question, Answer: ok.Answer, Owner: ok.Owner, ReviewBy: "31/12/2026"},
		"groups":    {Question: ok.Question, Answer: ok.Answer, Owner: ok.Owner, ReviewBy: ok.ReviewBy, Groups: []string{""}},
		"pinned":    {Question: ok.Question, Answer: ok.Answer, Owner: ok.Owner, ReviewBy: ok.ReviewBy, Pinned: []curated.Pin{{Source: "docs"}}},
	} {
		var fe curated.FieldError
		if err := in.Check(); !errors.As(err, &fe) || fe.Field != field {
			t.Errorf("%s: got %v, want a FieldError naming it", field, err)
		}
	}
	if err := ok.Check(); err != nil {
		t.Errorf("a complete answer: %v", err)
	}
}

func TestMatch(t *testing.T) {
	t.Parallel()
	b := setup(t)
	travel := b.create(t, curated.Input{Question: "How do I book flights?", Answer: "Use the **travel desk**.", Owner: "travel team",
		ReviewBy: "2026-12-31", Pinned: []curated.Pin{{"docs", "travel.md"}, {"docs", "hr/salary.md"}, {"docs", "gone.md"}}})
	salary := b.create(t, curated.Input{Question: "when are salary bands reviewed", Answer: "Every March.", Owner: "HR",
		ReviewBy: "2026-01-31", Groups: []string{"hr"}, Pinned: []curated.Pin{{"docs", "hr/salary.md"}}})

	for _, tc := range []struct {
		name, question string
		groups         []string
		want           int64
		pins           int
	}{
		{"equal text, other case and punctuation", "how do i book flights", nil, travel, 1},
		{"a close rewording", "how do I book my flights", nil, travel, 1},
		{"another topic", "where is the fire assembly point", nil, 0, 0},
		{"outside the answer's groups", "when are salary bands reviewed?", []string{"sales"}, 0, 0},
		{"no groups at all", "when are salary bands reviewed?", nil, 0, 0},
		{"in the answer's groups", "When are salary bands reviewed?", []string{"hr"}, salary, 1},
		// The HR document is pinned for everyone, but only HR readers get it.
		{"a pin the reader may see", "how do I book flights", []string{"hr"}, travel, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := b.store.Match(b.ctx, tc.question, tc.groups)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case tc.want == 0 && m != nil:
				t.Errorf("matched %d (%q, similarity %.2f), want none", m.ID, m.Question, m.Similarity)
			case tc.want != 0 && (m == nil || m.ID != tc.want):
				t.Errorf("matched %+v, want %d", m, tc.want)
			case m != nil && len(m.Documents) != tc.pins:
				t.Errorf("pinned documents %v, want %d the reader may see", m.Documents, tc.pins)
			}
		})
	}

	expired, err := b.store.Expired(b.ctx)
	if err != nil || len(expired) != 1 || expired[0].ID != salary || !expired[0].Expired {
		t.Errorf("expired = %+v, %v; want the salary answer, flagged", expired, err)
	}
	if _, err := b.store.Visible(b.ctx, salary, []string{"sales"}); !errors.Is(err, curated.ErrNotFound) {
		t.Errorf("an answer outside the reader's groups: %v, want ErrNotFound", err)
	}
	if err := b.store.Delete(b.ctx, travel); err != nil {
		t.Fatal(err)
	}
	if m, err := b.store.Match(b.ctx, "how do I book flights", nil); m != nil || err != nil {
		t.Errorf("a deleted answer still matches: %+v, %v", m, err)
	}
	if err := b.store.Update(b.ctx, travel, curated.Input{Question: "q", Answer: "a", Owner: "o", ReviewBy: "2026-01-01"}); !errors.Is(err, curated.ErrNotFound) {
		t.Errorf("updating a deleted answer: %v, want ErrNotFound", err)
	}
}
