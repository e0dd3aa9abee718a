// Package reindex runs re-index jobs through River, a PostgreSQL-backed job queue, so that any
// number of servers and workers share them: one job per source at a time, picked up again by
// another worker when the one running it dies, on a per-source schedule, cancellable, with
// progress recorded where every server can report it.
package reindex

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/docent-search/docent/internal/source"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"
)

// Job is a re-index run as the API reports it.
type Job struct {
	ID         int64           `json:"id"`
	Source     string          `json:"source"`
	Status     string          `json:"status"` // queued, running, succeeded, failed, cancelled
	Done       int             `json:"done"`
	Total      int             `json:"total"`
	Current    string          `json:"current"`
	ETA        string          `json:"eta,omitempty"`
	Summary    *source.Summary `json:"summary,omitempty"`
	Error      string          `json:"error,omitempty"`
	StartedBy  string          `json:"started_by"`
	StartedAt  time.Time       `json:"started_at"`
	FinishedAt *time.Time      `json:"finished_at,omitempty"`
}

// ErrNotFound is returned for a job id that does not exist.
var ErrNotFound = errors.New("no such job")

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

// Config sizes a Queue.
type Config struct {
	// Workers is how many jobs this process works at once; 0 makes an insert-only queue
	// (a query-only server, or the CLI enqueuing).
	Workers int
	// RescueAfter is how long after its worker died a job runs again (default 2 minutes).
	// River only rescues jobs with a timeout, so a job works in slices of a quarter of this,
	// each continuing where the last stopped (finished files are unchanged files then).
	// A live worker's job never runs twice at once: a per-source lock held by the worker's
	// database session makes a second one wait.
	RescueAfter time.Duration
	// ScheduleEvery is how often due schedules are checked (default 1 minute).
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
	rescue := cmp.Or(cfg.RescueAfter, 2*time.Minute)
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
		rc.PeriodicJobs = []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(cmp.Or(cfg.ScheduleEvery, time.Minute)),
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
	cancel, done := context.WithTimeout(context.Background(), 30*time.Second)
	defer done()
	return q.client.StopAndCancel(cancel)
}

// Enqueue asks for source name to be re-indexed and returns its job: a new one, or the one already
// queued or running for that source.
func (q *Queue) Enqueue(ctx context.Context, name, user string) (Job, error) {
	if _, err := source.Get(ctx, q.pool, name); err != nil {
		return Job{}, err
	}
	var res *rivertype.JobInsertResult
	for attempt := 0; ; attempt++ {
		var err error
		if res, err = q.client.Insert(ctx, args{Source: name, StartedBy: user}, nil); err != nil {
			return Job{}, fmt.Errorf("queueing a re-index of %s: %w", name, err)
		}
		// River completes jobs asynchronously: a job whose run just finished still counts as
		// running for a moment. Asking again then deserves a new job, not the finished one.
		if !res.UniqueSkippedAsDuplicate || attempt == 50 {
			break
		}
		if j, err := q.Get(ctx, res.Job.ID); err != nil || j.Status == "queued" || j.Status == "running" {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if _, err := q.pool.Exec(ctx, `INSERT INTO index_jobs (id, source, status, started_by) VALUES ($1, $2, 'queued', $3)
		ON CONFLICT (id) DO NOTHING`, res.Job.ID, name, user); err != nil {
		return Job{}, fmt.Errorf("recording job %d: %w", res.Job.ID, err)
	}
	return q.Get(ctx, res.Job.ID)
}

// Cancel stops a queued or running job; a running one stops at a file boundary.
func (q *Queue) Cancel(ctx context.Context, id int64) (Job, error) {
	if _, err := q.Get(ctx, id); err != nil {
		return Job{}, err
	}
	if _, err := q.client.JobCancel(ctx, id); err != nil && !errors.Is(err, river.ErrNotFound) {
		return Job{}, fmt.Errorf("cancelling job %d: %w", id, err)
	}
	if _, err := q.pool.Exec(ctx, `UPDATE index_jobs SET status = 'cancelled', finished_at = now() WHERE id = $1 AND status = 'queued'`, id); err != nil {
		return Job{}, fmt.Errorf("cancelling job %d: %w", id, err)
	}
	return q.Get(ctx, id)
}

// enqueueDue queues every source whose schedule says a run is due.
func (q *Queue) enqueueDue(ctx context.Context) error {
	rows, err := q.pool.Query(ctx, `SELECT name FROM sources
		WHERE every IS NOT NULL AND (last_run_at IS NULL OR last_run_at + every <= now())`)
	if err != nil {
		return fmt.Errorf("reading schedules: %w", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("reading schedules: %w", err)
	}
	for _, n := range names {
		if _, err := q.Enqueue(ctx, n, "schedule"); err != nil && !errors.Is(err, source.ErrNotFound) {
			return err
		}
	}
	return nil
}

// sourceLock is the advisory-lock class of per-source re-index locks.
const sourceLock = 0x646f63 // "doc"

type worker struct {
	river.WorkerDefaults[args]
	q *Queue
}

// Work re-indexes one source while holding its lock on a session of its own: if the process
// dies, PostgreSQL ends the session and frees the lock, and the rescued job runs again.
func (w *worker) Work(ctx context.Context, job *river.Job[args]) error {
	q := w.q
	conn, err := q.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	var locked bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1, hashtext($2))`, sourceLock, job.Args.Source).Scan(&locked); err != nil {
		return err
	}
	if !locked {
		return river.JobSnooze(15 * time.Second) // a live worker is indexing this source
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1, hashtext($2))`, sourceLock, job.Args.Source)

	src, err := source.Get(ctx, q.pool, job.Args.Source)
	if errors.Is(err, source.ErrNotFound) {
		q.finish(job.ID, "cancelled", "the source was removed", source.Summary{})
		return river.JobCancel(err)
	}
	if err != nil {
		return err
	}
	if _, err := q.pool.Exec(ctx, `INSERT INTO index_jobs (id, source, status, started_by) VALUES ($1, $2, 'running', $3)
		ON CONFLICT (id) DO UPDATE SET status = 'running', error = ''`,
		job.ID, src.Name, job.Args.StartedBy); err != nil {
		return err
	}
	var last time.Time
	progress := func(p source.Progress) {
		if time.Since(last) < time.Second && p.Done < p.Total {
			return
		}
		last = time.Now()
		if _, err := q.pool.Exec(ctx, `UPDATE index_jobs SET done = greatest(done, $2), total = $3, current = $4 WHERE id = $1`,
			job.ID, p.Done, p.Total, p.Current); err != nil && ctx.Err() == nil {
			q.log.Warn("recording re-index progress", "job", job.ID, "err", err)
		}
	}
	sliceCtx, cancel := context.WithTimeout(ctx, q.slice)
	defer cancel()
	sum, err := q.index(sliceCtx, src, progress)
	sum, serr := q.accumulate(job.ID, sum)
	if serr != nil {
		return serr
	}
	switch {
	case err == nil:
		q.finish(job.ID, "succeeded", "", sum)
		return nil
	case ctx.Err() == nil && sliceCtx.Err() != nil:
		// This slice's time is up: the next one continues right away, from the files not
		// yet done. Snoozing does not count as a failed attempt.
		return river.JobSnooze(0)
	case ctx.Err() != nil:
		// Cancelled by an admin, or the worker is shutting down: River records which, and a
		// shut-down job runs again elsewhere. Every finished file is already committed.
		q.finish(job.ID, "cancelled", "stopped before the end; files done so far are indexed", sum)
		return err
	default:
		q.log.Error("re-index failed", "job", job.ID, "source", src.Name, "err", err)
		q.finish(job.ID, "failed", err.Error(), sum)
		return err
	}
}

// accumulate adds a slice's counts to those of the job's earlier slices, stored with the job,
// and returns the job's summary so far. Files a slice added or updated are unchanged to the
// next, so additions sum; the last slice's view of skipped and failed files is current.
func (q *Queue) accumulate(id int64, s source.Summary) (source.Summary, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var prev []byte
	if err := q.pool.QueryRow(ctx, `SELECT summary FROM index_jobs WHERE id = $1`, id).Scan(&prev); err != nil {
		return s, fmt.Errorf("reading job %d: %w", id, err)
	}
	if prev != nil {
		var p source.Summary
		if err := json.Unmarshal(prev, &p); err == nil {
			s.Added += p.Added
			s.Updated += p.Updated
			s.Deleted += p.Deleted
			s.Chunks += p.Chunks
			s.Embedded += p.Embedded
			s.Elapsed += p.Elapsed
			s.Unchanged = max(s.Seen-s.Added-s.Updated-s.Skipped-s.Failed, 0)
		}
	}
	b, _ := json.Marshal(s)
	if _, err := q.pool.Exec(ctx, `UPDATE index_jobs SET summary = $2 WHERE id = $1`, id, b); err != nil {
		return s, fmt.Errorf("recording job %d: %w", id, err)
	}
	return s, nil
}

func (q *Queue) finish(id int64, status, msg string, sum source.Summary) {
	if q.Finished != nil && status == "succeeded" {
		q.Finished(sum)
	}
	summary, _ := json.Marshal(sum)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := q.pool.Exec(ctx, `UPDATE index_jobs SET status = $2, error = $3, summary = $4,
		done = greatest(done, $5), total = greatest(total, $5), current = '', finished_at = now() WHERE id = $1`,
		id, status, msg, summary, sum.Seen); err != nil {
		q.log.Error("recording re-index outcome", "job", id, "err", err)
	}
}

// Get returns job id.
func (q *Queue) Get(ctx context.Context, id int64) (Job, error) {
	var j Job
	var summary []byte
	err := q.pool.QueryRow(ctx, `SELECT id, source, status, done, total, current, summary, error, started_by, started_at, finished_at
		FROM index_jobs WHERE id = $1`, id).Scan(&j.ID, &j.Source, &j.Status, &j.Done, &j.Total, &j.Current, &summary,
		&j.Error, &j.StartedBy, &j.StartedAt, &j.FinishedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return Job{}, ErrNotFound
	}
	if err != nil {
		return Job{}, fmt.Errorf("reading job %d: %w", id, err)
	}
	if summary != nil && j.Status != "queued" && j.Status != "running" {
		j.Summary = new(source.Summary)
		_ = json.Unmarshal(summary, j.Summary)
	}
	if j.Status == "running" && j.Done > 0 && j.Total > j.Done {
		rate := float64(j.Done) / time.Since(j.StartedAt).Seconds()
		j.ETA = (time.Duration(float64(j.Total-j.Done)/rate) * time.Second).Round(time.Second).String()
	}
	return j, nil
}

// History returns a source's most recent jobs, newest first.
func (q *Queue) History(ctx context.Context, source string, n int) ([]Job, error) {
	rows, err := q.pool.Query(ctx, `SELECT id FROM index_jobs WHERE source = $1 ORDER BY id DESC LIMIT $2`, source, n)
	if err != nil {
		return nil, fmt.Errorf("listing jobs: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("listing jobs: %w", err)
	}
	out := make([]Job, 0, len(ids))
	for _, id := range ids {
		j, err := q.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, nil
}

// Latest returns the most recent job of each source.
func (q *Queue) Latest(ctx context.Context) (map[string]Job, error) {
	rows, err := q.pool.Query(ctx, `SELECT DISTINCT ON (source) id FROM index_jobs ORDER BY source, id DESC`)
	if err != nil {
		return nil, fmt.Errorf("listing jobs: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("listing jobs: %w", err)
	}
	out := map[string]Job{}
	for _, id := range ids {
		j, err := q.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		out[j.Source] = j
	}
	return out, nil
}
