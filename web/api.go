package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/docent-search/docent/internal/reindex"
	"github.com/docent-search/docent/internal/source"
)

// apiSources lists the sources the reader can see documents of; admins get every source
// with its counts.
func (s *Server) apiSources(w http.ResponseWriter, r *http.Request) {
	if !userFrom(r.Context()).Admin {
		names, err := s.visibleSources(r)
		if err != nil {
			s.error(w, r, err)
			return
		}
		out := []map[string]string{}
		for _, n := range names {
			out = append(out, map[string]string{"name": n})
		}
		writeJSON(w, http.StatusOK, map[string]any{"sources": out})
		return
	}
	all, err := source.Report(r.Context(), s.Pool, "")
	if err != nil {
		s.error(w, r, err)
		return
	}
	type sourceJSON struct {
		Name      string          `json:"name"`
		Root      string          `json:"root"`
		Groups    []string        `json:"groups"`
		Rules     []source.Rule   `json:"rules"`
		Documents int64           `json:"documents"`
		Chunks    int64           `json:"chunks"`
		LastRunAt *time.Time      `json:"last_run_at"`
		LastRun   *source.Summary `json:"last_run"`
		Problems  int             `json:"problems"`
	}
	out := []sourceJSON{}
	for _, st := range all {
		out = append(out, sourceJSON{st.Name, st.Root, nonNil(st.Groups), st.Rules, st.Documents, st.Chunks, st.LastRunAt, st.LastRun, len(st.Problems)})
	}
	writeJSON(w, http.StatusOK, map[string]any{"sources": out})
}

// apiReindex queues a re-index of the source of the path.
func (s *Server) apiReindex(w http.ResponseWriter, r *http.Request) {
	job, err := s.Jobs.Enqueue(r.Context(), r.PathValue("name"), userFrom(r.Context()).Name)
	switch {
	case errors.Is(err, source.ErrNotFound):
		s.error(w, r, notFound("no source named "+r.PathValue("name")))
	case err != nil:
		s.error(w, r, err)
	default:
		writeJSON(w, http.StatusAccepted, map[string]any{"job": job.ID, "status": job.Status})
	}
}

// apiJob reports a re-index job's progress.
func (s *Server) apiJob(w http.ResponseWriter, r *http.Request) {
	s.jobResponse(w, r, s.Jobs.Get)
}

// apiCancel stops a queued or running re-index job.
func (s *Server) apiCancel(w http.ResponseWriter, r *http.Request) {
	s.jobResponse(w, r, s.Jobs.Cancel)
}

// jobResponse runs op on the job of the path and writes the job.
func (s *Server) jobResponse(w http.ResponseWriter, r *http.Request, op func(context.Context, int64) (reindex.Job, error)) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.error(w, r, badRequest("job id must be a number"))
		return
	}
	job, err := op(r.Context(), id)
	switch {
	case errors.Is(err, reindex.ErrNotFound):
		s.error(w, r, notFound("no such job"))
	case err != nil:
		s.error(w, r, err)
	default:
		writeJSON(w, http.StatusOK, job)
	}
}
