package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/docent-search/docent/internal/answer"
	"github.com/docent-search/docent/internal/curated"
	"github.com/docent-search/docent/internal/source"
)

// curatedFor returns the curated answer for a reader's question, or nil. A failure to match is
// logged and the question answered without one: a curated answer adds to the generated one.
func (s *Server) curatedFor(r *http.Request, question string) *curated.Match {
	if s.Curated == nil {
		return nil
	}
	m, err := s.Curated.Match(r.Context(), question, groups(r))
	if err != nil {
		s.Log.Error("matching curated answers", "err", err)
		return nil
	}
	return m
}

// askCurated asks for the request's reader with the curated answer their question matches, if
// any: it comes first, and its pinned documents lead the sources. It is stored with the answer,
// so a reopened conversation shows it too. shown, when set, receives it as soon as it is matched,
// before the generated answer is composed: a streamed answer shows it at once.
func (s *Server) askCurated(r *http.Request, req answer.Request, shown func(*answer.Curated), emit func(string)) (answer.Response, error) {
	m := s.curatedFor(r, req.Question)
	if m != nil {
		req.Pinned = m.Documents
		if shown != nil {
			shown(shownCurated(m))
		}
	}
	resp, err := s.Asker.Ask(r.Context(), req, emit)
	resp.Curated = shownCurated(m)
	return resp, err
}

// shownCurated is a matched curated answer as the reader sees it.
func shownCurated(m *curated.Match) *answer.Curated {
	if m == nil {
		return nil
	}
	return &answer.Curated{ID: m.ID, Answer: m.Answer, Owner: m.Owner, ReviewBy: m.ReviewBy,
		Reviewed: m.Updated.UTC().Format(curated.DateLayout), Expired: m.Expired}
}

// curatedID reads the {id} of the path.
func curatedID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return 0, badRequest("id: must be a curated answer's number")
	}
	return id, nil
}

// curatedError turns the store's errors into what the client is told.
func curatedError(err error) error {
	var field curated.FieldError
	switch {
	case errors.As(err, &field):
		return badRequest(field.Error())
	case errors.Is(err, curated.ErrNotFound):
		return notFound("No such curated answer.")
	}
	return err
}

// readCurated reads the JSON body of POST and PUT /api/curated.
func readCurated(w http.ResponseWriter, r *http.Request) (curated.Input, error) {
	var in curated.Input
	if err := decodeJSON(w, r, &in); err != nil {
		return in, badRequest(`request body must be JSON like {"question": "...", "answer": "Markdown", "groups": ["..."], "owner": "...", "review_by": "YYYY-MM-DD", "pinned": [{"source": "...", "document": "path"}]}: ` + err.Error())
	}
	return in, nil
}

// apiCuratedCreate is POST /api/curated → 201 {"id"}.
func (s *Server) apiCuratedCreate(w http.ResponseWriter, r *http.Request) {
	in, err := readCurated(w, r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	id, err := s.Curated.Create(r.Context(), in, userFrom(r.Context()).Name)
	if err != nil {
		s.error(w, r, curatedError(err))
		return
	}
	s.audit(r, "curated answer created", strconv.FormatInt(id, 10), strconv.Quote(in.Question))
	writeJSON(w, http.StatusCreated, map[string]int64{"id": id})
}

// apiCuratedList is GET /api/curated: every curated answer, expired ones flagged.
func (s *Server) apiCuratedList(w http.ResponseWriter, r *http.Request) {
	all, err := s.Curated.List(r.Context())
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"curated": nonNilEntries(all)})
}

func nonNilEntries(e []curated.Entry) []curated.Entry {
	if e == nil {
		return []curated.Entry{}
	}
	return e
}

// apiCuratedGet is GET /api/curated/{id}.
func (s *Server) apiCuratedGet(w http.ResponseWriter, r *http.Request) {
	id, err := curatedID(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.writeCurated(w, r, id)
}

// writeCurated answers with curated answer id.
func (s *Server) writeCurated(w http.ResponseWriter, r *http.Request, id int64) {
	e, err := s.Curated.Get(r.Context(), id)
	if err != nil {
		s.error(w, r, curatedError(err))
		return
	}
	writeJSON(w, http.StatusOK, e)
}

// apiCuratedUpdate is PUT /api/curated/{id}: the whole answer, as for POST.
func (s *Server) apiCuratedUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := curatedID(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	in, err := readCurated(w, r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	if err := s.Curated.Update(r.Context(), id, in); err != nil {
		s.error(w, r, curatedError(err))
		return
	}
	s.audit(r, "curated answer changed", strconv.FormatInt(id, 10), strconv.Quote(in.Question))
	s.writeCurated(w, r, id)
}

// apiCuratedDelete is DELETE /api/curated/{id} → 204.
func (s *Server) apiCuratedDelete(w http.ResponseWriter, r *http.Request) {
	id, err := curatedID(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	if err := s.Curated.Delete(r.Context(), id); err != nil {
		s.error(w, r, curatedError(err))
		return
	}
	s.audit(r, "curated answer deleted", strconv.FormatInt(id, 10), "")
	w.WriteHeader(http.StatusNoContent)
}

// curatedPage is /admin/curated: the curated answers, expired ones flagged, and a form for a
// new one; /admin/curated/{id} edits one.
func (s *Server) curatedPage(w http.ResponseWriter, r *http.Request) {
	m := curatedModel{Notice: takeNotice(w, r)}
	if r.PathValue("id") != "" {
		id, err := curatedID(r)
		if err != nil {
			s.error(w, r, err)
			return
		}
		e, err := s.Curated.Get(r.Context(), id)
		if err != nil {
			s.error(w, r, curatedError(err))
			return
		}
		m.Editing = &e
	}
	s.renderCurated(w, r, http.StatusOK, m)
}

// renderCurated shows the curated answers page with m's notice, error and form, and the
// answers read now.
func (s *Server) renderCurated(w http.ResponseWriter, r *http.Request, status int, m curatedModel) {
	m.page = s.pageFor(r, "Curated answers", "admin")
	var err error
	if m.Entries, err = s.Curated.List(r.Context()); err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, status, curatedAdminPage(m))
}

// curatedForm reads the admin page's form: groups comma-separated, one pinned document a line
// as "source:path".
func curatedForm(w http.ResponseWriter, r *http.Request) (curated.Input, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		return curated.Input{}, badRequest("the form could not be read: " + err.Error())
	}
	in := curated.Input{Question: r.PostFormValue("question"), Answer: r.PostFormValue("answer"),
		Groups: source.SplitGroups(r.PostFormValue("groups")), Owner: r.PostFormValue("owner"), ReviewBy: r.PostFormValue("review_by")}
	for _, line := range strings.Split(r.PostFormValue("pinned"), "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		src, path, ok := strings.Cut(line, ":")
		if !ok {
			return in, badRequest(`pinned: write each document as "source:path", one a line`)
		}
		in.Pinned = append(in.Pinned, curated.Pin{Source: strings.TrimSpace(src), Document: strings.TrimSpace(path)})
	}
	return in, nil
}

// curatedBack answers a form of the curated answers page. Once it worked it goes back to the
// list with notice, so a reload never re-submits. A refusal shows the page with the error, its
// 4xx status and the form as typed (in, of answer id; 0 for a new one), so neither a script
// nor a proxy takes it for a success and the admin loses no answer to a typo; anything else
// is the error page.
func (s *Server) curatedBack(w http.ResponseWriter, r *http.Request, id int64, in curated.Input, notice string, err error) {
	s.formDone(w, r, "/admin/curated", notice, err, curatedError, func(status int, msg string) {
		m := curatedModel{Error: msg, Draft: in}
		if id != 0 && status != http.StatusNotFound {
			m.Editing = &curated.Entry{ID: id, Input: in}
		}
		s.renderCurated(w, r, status, m)
	})
}

// curatedCreateForm is POST /admin/curated.
func (s *Server) curatedCreateForm(w http.ResponseWriter, r *http.Request) {
	in, err := curatedForm(w, r)
	var id int64
	if err == nil {
		id, err = s.Curated.Create(r.Context(), in, userFrom(r.Context()).Name)
	}
	if err == nil {
		s.audit(r, "curated answer created", strconv.FormatInt(id, 10), strconv.Quote(in.Question))
	}
	s.curatedBack(w, r, 0, in, "Curated answer added.", err)
}

// curatedUpdateForm is POST /admin/curated/{id}.
func (s *Server) curatedUpdateForm(w http.ResponseWriter, r *http.Request) {
	id, err := curatedID(r)
	var in curated.Input
	if err == nil {
		in, err = curatedForm(w, r)
	}
	if err == nil {
		err = s.Curated.Update(r.Context(), id, in)
	}
	if err == nil {
		s.audit(r, "curated answer changed", strconv.FormatInt(id, 10), strconv.Quote(in.Question))
	}
	s.curatedBack(w, r, id, in, "Curated answer saved.", err)
}

// curatedDeleteForm is POST /admin/curated/{id}/delete.
func (s *Server) curatedDeleteForm(w http.ResponseWriter, r *http.Request) {
	id, err := curatedID(r)
	if err == nil {
		err = s.Curated.Delete(r.Context(), id)
	}
	if err == nil {
		s.audit(r, "curated answer deleted", strconv.FormatInt(id, 10), "")
	}
	s.curatedBack(w, r, 0, curated.Input{}, "Curated answer deleted.", err)
}
