package reindex

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/docent-search/docent/internal/source"
)

// Job is a re-index run as the API reports it.
type Job struct {
	ID         int64           `json:"id"`
	Source     string          `json:"source"`
	Status     Status          `json:"status"`
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

// Status is where a job is in its life; it is stored in index_jobs.status and reported as is.
type Status string

const (
	Queued    Status = "queued"    // waiting for a worker
	Running   Status = "running"   // a worker is indexing (or a rescued job waits to run again)
	Succeeded Status = "succeeded" // the run finished
	Failed    Status = "failed"    // the last attempt stopped on an error; River tries again, with back-off
	Cancelled Status = "cancelled" // cancelled by an admin, stopped at shutdown, or its source removed
)

// Active reports whether the job is yet to finish: asking again returns it rather than a new
// one, and it has no summary yet.
func (s Status) Active() bool { return s == Queued || s == Running }

// ErrNotFound is returned for a job id that does not exist.
var ErrNotFound = errors.New("no such job")

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
		if j, err := q.Get(ctx, res.Job.ID); err != nil || j.Status.Active() {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if _, err := q.pool.Exec(ctx, `INSERT INTO index_jobs (id, source, status, started_by) VALUES ($1, $2, $3, $4)
		ON CONFLICT (id) DO NOTHING`, res.Job.ID, name, Queued, user); err != nil {
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
	if _, err := q.pool.Exec(ctx, `UPDATE index_jobs SET status = $2, finished_at = now() WHERE id = $1 AND status = $3`, id, Cancelled, Queued); err != nil {
		return Job{}, fmt.Errorf("cancelling job %d: %w", id, err)
	}
	return q.Get(ctx, id)
}

// jobColumns are the columns of index_jobs that scanJob reads, in its order.
const jobColumns = `id, source, status, done, total, current, summary, error, started_by, started_at, finished_at`

// ETAAfter is how long a run goes before its pace foretells its end: the first file's alone
// foretold an end days away ("ETA 60h56m"). The indexer's progress line waits as long.
const ETAAfter = 3 * time.Second

// scanJob reads a row of jobColumns into a Job, with its summary once finished and an ETA
// while running.
func scanJob(row pgx.CollectableRow) (Job, error) {
	var j Job
	var summary []byte
	if err := row.Scan(&j.ID, &j.Source, &j.Status, &j.Done, &j.Total, &j.Current, &summary,
		&j.Error, &j.StartedBy, &j.StartedAt, &j.FinishedAt); err != nil {
		return Job{}, err
	}
	if summary != nil && !j.Status.Active() {
		j.Summary = new(source.Summary)
		_ = json.Unmarshal(summary, j.Summary)
	}
	if j.Status == Running && j.Done > 0 && j.Total > j.Done && time.Since(j.StartedAt) >= ETAAfter {
		rate := float64(j.Done) / time.Since(j.StartedAt).Seconds()
		j.ETA = (time.Duration(float64(j.Total-j.Done)/rate) * time.Second).Round(time.Second).String()
	}
	return j, nil
}

// Get returns job id.
func (q *Queue) Get(ctx context.Context, id int64) (Job, error) {
	rows, err := q.pool.Query(ctx, `SELECT `+jobColumns+` FROM index_jobs WHERE id = $1`, id)
	if err != nil {
		return Job{}, fmt.Errorf("reading job %d: %w", id, err)
	}
	j, err := pgx.CollectExactlyOneRow(rows, scanJob)
	if errors.Is(err, pgx.ErrNoRows) {
		return Job{}, ErrNotFound
	}
	if err != nil {
		return Job{}, fmt.Errorf("reading job %d: %w", id, err)
	}
	return j, nil
}

// Recent returns each source's n most recent jobs, newest first, in one query: the admin page
// shows every source's latest job and a few before it.
func (q *Queue) Recent(ctx context.Context, n int) (map[string][]Job, error) {
	rows, err := q.pool.Query(ctx, `SELECT `+jobColumns+` FROM (
			SELECT *, row_number() OVER (PARTITION BY source ORDER BY id DESC) AS n FROM index_jobs) j
		WHERE n <= $1 ORDER BY source, id DESC`, n)
	if err != nil {
		return nil, fmt.Errorf("listing jobs: %w", err)
	}
	jobs, err := pgx.CollectRows(rows, scanJob)
	if err != nil {
		return nil, fmt.Errorf("listing jobs: %w", err)
	}
	out := map[string][]Job{}
	for _, j := range jobs {
		out[j.Source] = append(out[j.Source], j)
	}
	return out, nil
}
