package reindex

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/docent-search/docent/internal/source"
)

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
		q.finish(job.ID, Cancelled, "the source was removed", source.Summary{})
		return river.JobCancel(err)
	}
	if err != nil {
		return err
	}
	if _, err := q.pool.Exec(ctx, `INSERT INTO index_jobs (id, source, status, started_by) VALUES ($1, $2, $3, $4)
		ON CONFLICT (id) DO UPDATE SET status = $3, error = ''`,
		job.ID, src.Name, Running, job.Args.StartedBy); err != nil {
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
		q.finish(job.ID, Succeeded, "", sum)
		return nil
	case ctx.Err() == nil && sliceCtx.Err() != nil:
		// This slice's time is up: the next one continues right away, from the files not
		// yet done. Snoozing does not count as a failed attempt.
		return river.JobSnooze(0)
	case ctx.Err() != nil:
		// Cancelled by an admin, or the worker is shutting down: River records which, and a
		// shut-down job runs again elsewhere. Every finished file is already committed.
		q.finish(job.ID, Cancelled, "stopped before the end; files done so far are indexed", sum)
		return err
	default:
		q.log.Error("re-index failed", "job", job.ID, "source", src.Name, "err", err)
		q.finish(job.ID, Failed, err.Error(), sum)
		return err
	}
}

// accumulate adds a slice's counts to those of the job's earlier slices, stored with the job,
// and returns the job's summary so far. Files a slice added or updated are unchanged to the
// next, so additions sum; the last slice's view of skipped and failed files is current.
func (q *Queue) accumulate(id int64, s source.Summary) (source.Summary, error) {
	ctx, cancel := context.WithTimeout(context.Background(), recordTimeout)
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

func (q *Queue) finish(id int64, status Status, msg string, sum source.Summary) {
	if q.Finished != nil && status == Succeeded {
		q.Finished(sum)
	}
	summary, _ := json.Marshal(sum)
	ctx, cancel := context.WithTimeout(context.Background(), recordTimeout)
	defer cancel()
	if _, err := q.pool.Exec(ctx, `UPDATE index_jobs SET status = $2, error = $3, summary = $4,
		done = greatest(done, $5), total = greatest(total, $5), current = '', finished_at = now() WHERE id = $1`,
		id, status, msg, summary, sum.Seen); err != nil {
		q.log.Error("recording re-index outcome", "job", id, "err", err)
	}
}
