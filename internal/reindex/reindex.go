// Package reindex runs re-index jobs through River, a PostgreSQL-backed job queue, so that any
// number of servers and workers share them: one job per source at a time, picked up again by
// another worker when the one running it dies, on a per-source schedule, cancellable, with
// progress recorded where every server can report it.
package reindex

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"

	"github.com/docent-search/docent/internal/source"
)

// args is the River job that re-indexes a source. Unique by source among the jobs not yet
// finished: asking twice while one is queued or running returns that one.
type args struct {
	Source    string `json:"source" river:"unique"`
	StartedBy string `json:"started_by"`
}

func (args) Kind() string { return "docent_reindex" }

func (args) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 25, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable,
		rivertype.JobStateRunning, rivertype.JobStateScheduled,
	}}}
}

// scheduleArgs is the periodic job that enqueues the sources whose schedule is due.
type scheduleArgs struct{}

func (scheduleArgs) Kind() string { return "docent_reindex_schedule" }

// The queue's timings, named once. DefaultRescueAfter is DOCENT_RESCUE_JOBS_AFTER's default too
// (internal/config checks that they agree).
const (
	DefaultRescueAfter   = 2 * time.Minute
	DefaultScheduleEvery = time.Minute
	// WatchSettle and WatchReload are the server's arguments to Watch: a burst of changes
	// settles within seconds, and sources added elsewhere are watched within a minute.
	WatchSettle = 2 * time.Second
	WatchReload = time.Minute
	// recordTimeout bounds each write of a job's progress or outcome, made outside the job's
	// own context so that a cancelled job still records how it ended.
	recordTimeout = 10 * time.Second
	// stopGrace is how long Stop waits, once it has cancelled the running jobs, for them to
	// reach a file boundary.
	stopGrace = 30 * time.Second
)

// Config sizes a Queue.
type Config struct {
	// Workers is how many jobs this process works at once; 0 makes an insert-only queue
	// (a query-only server, or the CLI enqueuing).
	Workers int
	// RescueAfter is how long after its worker died a job runs again (DefaultRescueAfter).
	// River only rescues jobs with a timeout, so a job works in slices of a quarter of this,
	// each continuing where the last stopped (finished files are unchanged files then).
	// A live worker's job never runs twice at once: a per-source lock held by the worker's
	// database session makes a second one wait.
	RescueAfter time.Duration
	// ScheduleEvery is how often due schedules are checked (DefaultScheduleEvery).
	ScheduleEvery time.Duration
}

// Queue enqueues, runs and reports re-index jobs.
type Queue struct {
	pool    *pgxpool.Pool
	client  *river.Client[pgx.Tx]
	index   IndexFunc
	log     *slog.Logger
	working bool          // this process works jobs, not only queues them
	slice   time.Duration // how long one slice of a job runs before it hands over to the next
	// Finished, when set, is told each run's summary (the server counts files for /metrics).
	Finished func(source.Summary)
}

// IndexFunc indexes src, calling progress after each file; ingest.Indexer.RunReporting is the
// one Docent uses. The queue takes a function rather than the indexer so that it, and the web
// server that enqueues, do not link the file parsers.
type IndexFunc func(ctx context.Context, src source.Source, progress func(source.Progress)) (source.Summary, error)

// New returns a queue; Start begins working jobs when cfg.Workers > 0 (index may be nil
// otherwise).
func New(pool *pgxpool.Pool, cfg Config, index IndexFunc, log *slog.Logger) (*Queue, error) {
	rescue := cmp.Or(cfg.RescueAfter, DefaultRescueAfter)
	// A slice stops taking files after a quarter of the rescue time; the job's timeout leaves
	// it as long again and more to finish the files in hand, since a slice that overruns the
	// timeout counts as a failed attempt and retries back off.
	q := &Queue{pool: pool, index: index, log: log, working: cfg.Workers > 0, slice: rescue / 4}
	rc := &river.Config{Logger: log, JobTimeout: rescue * 3 / 4, RescueStuckJobsAfter: rescue}
	if cfg.Workers > 0 {
		workers := river.NewWorkers()
		river.AddWorker(workers, &worker{q: q})
		river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, _ *river.Job[scheduleArgs]) error {
			return q.enqueueDue(ctx)
		}))
		rc.Workers = workers
		rc.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.Workers}}
		rc.PeriodicJobs = []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(cmp.Or(cfg.ScheduleEvery, DefaultScheduleEvery)),
			func() (river.JobArgs, *river.InsertOpts) { return scheduleArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true})}
	}
	client, err := river.NewClient(riverpgxv5.New(pool), rc)
	if err != nil {
		return nil, fmt.Errorf("starting the job queue: %w", err)
	}
	q.client = client
	return q, nil
}

// Start begins working jobs (a no-op for an insert-only queue).
func (q *Queue) Start(ctx context.Context) error {
	if !q.working {
		return nil
	}
	return q.client.Start(ctx)
}

// Stop stops taking jobs and waits for the running ones until ctx ends; then it cancels them,
// and they stop at a file boundary, the index consistent, to be resumed by another worker.
func (q *Queue) Stop(ctx context.Context) error {
	if !q.working {
		return nil
	}
	if err := q.client.Stop(ctx); err == nil {
		return nil
	}
	cancel, done := context.WithTimeout(context.Background(), stopGrace)
	defer done()
	return q.client.StopAndCancel(cancel)
}
