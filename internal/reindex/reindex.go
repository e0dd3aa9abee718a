// Package reindex runs re-index jobs started from the browser or the API in the background,
// recording their progress and outcome in PostgreSQL so that any server can report on them.
// One job per source runs at a time.
package reindex

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/docent-search/docent/internal/ingest"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Job is a re-index run as the API reports it.
type Job struct {
	ID         int64           `json:"id"`
	Source     string          `json:"source"`
	Status     string          `json:"status"` // running, succeeded, failed
	Done       int             `json:"done"`
	Total      int             `json:"total"`
	Current    string          `json:"current"`
	Summary    *ingest.Summary `json:"summary,omitempty"`
	Error      string          `json:"error,omitempty"`
	StartedBy  string          `json:"started_by"`
	StartedAt  time.Time       `json:"started_at"`
	FinishedAt *time.Time      `json:"finished_at,omitempty"`
}

// ErrNotFound is returned for a job id that does not exist.
var ErrNotFound = errors.New("no such job")

// Runner starts jobs. NewIndexer returns the indexer a job uses; Ctx bounds every job (the
// server's lifetime).
type Runner struct {
	Pool       *pgxpool.Pool
	NewIndexer func() *ingest.Indexer
	Log        *slog.Logger
	Ctx        context.Context
	// Finished, when set, is told each run's summary (the server counts files for /metrics).
	Finished func(ingest.Summary)

	wg sync.WaitGroup
}

// Start begins re-indexing source and returns the job, or the job already running for it.
func (r *Runner) Start(ctx context.Context, source, user string) (Job, error) {
	src, err := ingest.GetSource(ctx, r.Pool, source)
	if err != nil {
		return Job{}, err
	}
	var id int64
	err = r.Pool.QueryRow(ctx, `INSERT INTO index_jobs (source, status, started_by) VALUES ($1, 'running', $2) RETURNING id`,
		source, user).Scan(&id)
	var pg *pgconn.PgError
	if errors.As(err, &pg) && pg.Code == "23505" {
		err = r.Pool.QueryRow(ctx, `SELECT id FROM index_jobs WHERE source = $1 AND status = 'running'`, source).Scan(&id)
		if err != nil {
			return Job{}, fmt.Errorf("finding the running job of %s: %w", source, err)
		}
		return r.Get(ctx, id)
	}
	if err != nil {
		return Job{}, fmt.Errorf("starting a re-index of %s: %w", source, err)
	}
	r.wg.Go(func() { r.run(id, src) })
	return r.Get(ctx, id)
}

// Wait blocks until every started job has finished (the server calls it when shutting down).
func (r *Runner) Wait() { r.wg.Wait() }

func (r *Runner) run(id int64, src ingest.Source) {
	ctx := r.Ctx
	ix := r.NewIndexer()
	var last time.Time
	ix.Progress = func(p ingest.Progress) {
		if time.Since(last) < time.Second && p.Done < p.Total {
			return
		}
		last = time.Now()
		if _, err := r.Pool.Exec(ctx, `UPDATE index_jobs SET done = $2, total = $3, current = $4 WHERE id = $1`,
			id, p.Done, p.Total, p.Current); err != nil {
			r.Log.Warn("recording re-index progress", "job", id, "err", err)
		}
	}
	sum, err := ix.Run(ctx, src)
	status, msg := "succeeded", ""
	if err != nil {
		status, msg = "failed", err.Error()
		r.Log.Error("re-index failed", "job", id, "source", src.Name, "err", err)
	}
	if r.Finished != nil {
		r.Finished(sum)
	}
	summary, _ := json.Marshal(sum)
	// The job's own context may have ended with the server: record the outcome regardless.
	if _, err := r.Pool.Exec(context.WithoutCancel(ctx), `UPDATE index_jobs SET status = $2, error = $3, summary = $4,
		done = greatest(done, $5), total = greatest(total, $5), current = '', finished_at = now() WHERE id = $1`,
		id, status, msg, summary, sum.Seen); err != nil {
		r.Log.Error("recording re-index outcome", "job", id, "err", err)
	}
}

// Get returns job id.
func (r *Runner) Get(ctx context.Context, id int64) (Job, error) {
	var j Job
	var summary []byte
	err := r.Pool.QueryRow(ctx, `SELECT id, source, status, done, total, current, summary, error, started_by, started_at, finished_at
		FROM index_jobs WHERE id = $1`, id).Scan(&j.ID, &j.Source, &j.Status, &j.Done, &j.Total, &j.Current, &summary,
		&j.Error, &j.StartedBy, &j.StartedAt, &j.FinishedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return Job{}, ErrNotFound
	}
	if err != nil {
		return Job{}, fmt.Errorf("reading job %d: %w", id, err)
	}
	if summary != nil {
		j.Summary = new(ingest.Summary)
		_ = json.Unmarshal(summary, j.Summary)
	}
	return j, nil
}

// Latest returns the most recent job of each source.
func (r *Runner) Latest(ctx context.Context) (map[string]Job, error) {
	rows, err := r.Pool.Query(ctx, `SELECT DISTINCT ON (source) id FROM index_jobs ORDER BY source, id DESC`)
	if err != nil {
		return nil, fmt.Errorf("listing jobs: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("listing jobs: %w", err)
	}
	out := map[string]Job{}
	for _, id := range ids {
		j, err := r.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		out[j.Source] = j
	}
	return out, nil
}
