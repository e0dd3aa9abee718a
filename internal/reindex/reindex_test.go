package reindex_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/docent-search/docent/internal/docenttest"
	"github.com/docent-search/docent/internal/postgres/pgtest"
	"github.com/docent-search/docent/internal/reindex"
	"github.com/docent-search/docent/internal/source"
)

type testBundle struct {
	pool *pgxpool.Pool
	root string
}

func setup(t *testing.T, files int) testBundle {
	t.Helper()
	b := testBundle{pool: pgtest.NewPool(t), root: t.TempDir()}
	docenttest.Notes(t, b.root, files, func(i int) string { return fmt.Sprintf("# Note %d\n\nText number %d.\n", i, i) })
	return b
}

func (b testBundle) queue(t *testing.T, workers int) *reindex.Queue {
	t.Helper()
	return docenttest.Queue(t, b.pool, reindex.Config{Workers: workers, ScheduleEvery: 200 * time.Millisecond})
}

func wait(t *testing.T, q *reindex.Queue, id int64) reindex.Job {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		j, err := q.Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if j.Status != "queued" && j.Status != "running" {
			return j
		}
	}
	t.Fatalf("job %d did not finish", id)
	return reindex.Job{}
}

func TestOneJobPerSource(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t, 20)
	docenttest.Add(t, b.pool, "s", b.root)
	queueOnly := b.queue(t, 0)
	first, err := queueOnly.Enqueue(ctx, "s", "ann")
	if err != nil {
		t.Fatal(err)
	}
	second, err := queueOnly.Enqueue(ctx, "s", "bo")
	if err != nil {
		t.Fatal(err)
	}
	if first.ID != second.ID || first.Status != "queued" {
		t.Fatalf("two requests while queued made jobs %d and %d (status %s)", first.ID, second.ID, first.Status)
	}
	// Nothing works the job until a worker exists.
	time.Sleep(300 * time.Millisecond)
	if j, _ := queueOnly.Get(ctx, first.ID); j.Status != "queued" {
		t.Fatalf("an insert-only queue worked the job: %s", j.Status)
	}
	worker := b.queue(t, 1)
	done := wait(t, worker, first.ID)
	if done.Status != "succeeded" || done.Summary == nil || done.Summary.Added != 20 || done.StartedBy != "ann" {
		t.Fatalf("job: %+v", done)
	}
	// After it finished, a new request makes a new job.
	again, err := worker.Enqueue(ctx, "s", "ann")
	if err != nil || again.ID == first.ID {
		t.Fatalf("re-enqueue after completion: %+v, %v", again, err)
	}
	if j := wait(t, worker, again.ID); j.Summary == nil || j.Summary.Unchanged != 20 {
		t.Fatalf("second run: %+v", j)
	}
	if _, err := worker.Enqueue(ctx, "missing", "ann"); err == nil {
		t.Error("a job for a missing source was queued")
	}
}

func TestCancelQueuedJob(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t, 3)
	docenttest.Add(t, b.pool, "s", b.root)
	q := b.queue(t, 0)
	j, err := q.Enqueue(ctx, "s", "ann")
	if err != nil {
		t.Fatal(err)
	}
	if j, err = q.Cancel(ctx, j.ID); err != nil || j.Status != "cancelled" {
		t.Fatalf("cancel: %+v, %v", j, err)
	}
	worker := b.queue(t, 1)
	time.Sleep(500 * time.Millisecond)
	var docs int
	b.pool.QueryRow(ctx, `SELECT count(*) FROM documents`).Scan(&docs)
	if docs != 0 {
		t.Errorf("a cancelled job ran: %d documents", docs)
	}
	if _, err := worker.Cancel(ctx, 999999); err == nil {
		t.Error("cancelling a missing job succeeded")
	}
}

func TestScheduleEnqueuesDueSources(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t, 5)
	if _, err := source.Add(ctx, b.pool, source.Source{Name: "hourly", Root: b.root, Every: time.Hour}); err != nil {
		t.Fatal(err)
	}
	if _, err := source.Add(ctx, b.pool, source.Source{Name: "manual", Root: b.root}); err != nil {
		t.Fatal(err)
	}
	q := b.queue(t, 1)
	var ran map[string][]reindex.Job
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		ran, _ = q.Recent(ctx, 1)
		if len(ran["hourly"]) > 0 && ran["hourly"][0].Status == "succeeded" {
			break
		}
	}
	if len(ran["hourly"]) == 0 || ran["hourly"][0].Status != "succeeded" || ran["hourly"][0].StartedBy != "schedule" {
		t.Fatalf("scheduled source: %+v", ran["hourly"])
	}
	if _, ok := ran["manual"]; ok {
		t.Error("a source without a schedule was re-indexed")
	}
	// Once run, it is not due again within the hour.
	time.Sleep(600 * time.Millisecond)
	recent, _ := q.Recent(ctx, 10)
	if hist := recent["hourly"]; len(hist) != 1 {
		t.Errorf("%d runs of an hourly source within a second", len(recent["hourly"]))
	}
}

func TestWatchedFolderIsReindexed(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b := setup(t, 2)
	if err := os.Mkdir(filepath.Join(b.root, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := source.Add(ctx, b.pool, source.Source{Name: "w", Root: b.root, Watch: true}); err != nil {
		t.Fatal(err)
	}
	q := b.queue(t, 1)
	go q.Watch(ctx, 200*time.Millisecond, time.Hour)
	time.Sleep(300 * time.Millisecond) // the watches are in place
	// A burst of changes, one in a subfolder, becomes one job.
	burst := map[string]string{}
	for i := range 5 {
		burst[fmt.Sprintf("sub/new%d.md", i)] = "# New\n\nfresh text\n"
	}
	docenttest.Write(t, b.root, burst)
	var docs int
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		b.pool.QueryRow(ctx, `SELECT count(*) FROM documents`).Scan(&docs)
		if docs == 7 {
			break
		}
	}
	if docs != 7 {
		t.Fatalf("%d documents after writing into a watched folder, want 7", docs)
	}
	recent, _ := q.Recent(ctx, 10)
	hist := recent["w"]
	if len(hist) == 0 || hist[0].StartedBy != "watch" || len(hist) > 2 {
		t.Errorf("jobs: %+v", hist)
	}
}
