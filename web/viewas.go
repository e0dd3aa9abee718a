package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/docent-search/docent/internal/access"
	"github.com/docent-search/docent/internal/answer"
	"github.com/docent-search/docent/internal/source"
)

// viewAs is what a reader would get for a question: the search results and the answer, found
// through the very handlers readers use, with the reader put in the request in place of the
// admin. Nothing is recorded in the reader's name: no conversation, no rate-limit spent.
type viewAs struct {
	User    User
	Query   string
	Results []searchResult
	Answer  answer.Response
	// AnswerError says why the answer could not be completed (the results still stand).
	AnswerError string
}

// viewedUser reads the reader to view as from the query: user and comma-separated groups,
// parsed as the identity headers are.
func (s *Server) viewedUser(r *http.Request) (User, error) {
	p, err := textParams(r.URL.Query(), "user", "groups")
	if err != nil {
		return User{}, err
	}
	name := strings.TrimSpace(p["user"])
	if name == "" {
		return User{}, badRequest("user: enter the name of the reader to view Docent as")
	}
	g := source.SplitGroups(p["groups"])
	return User{Name: name, Groups: g, Admin: slices.Contains(g, s.Identity.AdminGroup)}, nil
}

// runViewAs searches and asks q as the reader in the request's user and groups parameters.
// Search goes through runSearch and the answer through the same answer.Service with the
// reader's groups: the access filter applied is the one in retrieve's SQL, not a copy of it.
func (s *Server) runViewAs(w http.ResponseWriter, r *http.Request) (viewAs, error) {
	u, err := s.viewedUser(r)
	if err != nil {
		return viewAs{}, err
	}
	v := viewAs{User: u, Query: question(r.URL.Query().Get("q")), Results: []searchResult{},
		Answer: answer.Response{Citations: []answer.Citation{}}}
	if v.Query == "" {
		return v, nil
	}
	asReader := r.WithContext(context.WithValue(r.Context(), userKey{}, u))
	if v.Results, _, err = s.runSearch(asReader); err != nil {
		return v, err
	}
	// Another site's link or image must not spend the admin's model time: as on the ask page,
	// a cross-site request shows the results without asking.
	if !sameOrigin(r) {
		v.AnswerError = "Not asked: this request came from another site. Submit the form to ask."
		return v, nil
	}
	// The admin's own rate limit applies: it is the admin who spends the model's time.
	done, err := s.limiter.start(userFrom(r.Context()).Name)
	if err != nil {
		_, v.AnswerError = s.askError(w, r, err)
		return v, nil
	}
	defer done()
	resp, err := s.askCurated(asReader, answer.Request{Question: v.Query, Groups: u.Groups}, nil, nil)
	v.Answer = resp
	if err != nil {
		_, v.AnswerError = s.askError(w, r, fmt.Errorf("%w as %s: %w", errUpstream, u.Name, err))
	}
	return v, nil
}

// viewAsPage shows search and ask as another reader, for an admin checking access.
func (s *Server) viewAsPage(w http.ResponseWriter, r *http.Request) {
	m := viewAsModel{page: s.pageFor(r, "View as a reader", "admin"), Groups: r.URL.Query().Get("groups")}
	status := http.StatusOK
	if r.URL.Query().Has("user") {
		v, err := s.runViewAs(w, r)
		if err != nil {
			status, m.Error = s.explain(w, r, err)
		}
		m.View, m.Viewing = v, err == nil
		m.Blocks = answerBlocks(v.Answer)
	}
	s.render(w, r, status, viewAsPage(m))
}

// apiViewAs is viewAsPage as JSON: GET /api/admin/view-as?user=&groups=&q=.
func (s *Server) apiViewAs(w http.ResponseWriter, r *http.Request) {
	v, err := s.runViewAs(w, r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	out := map[string]any{"viewing_as": map[string]any{"user": v.User.Name, "groups": nonNil(v.User.Groups)},
		"query": v.Query, "results": v.Results, "answer": v.Answer}
	if v.AnswerError != "" {
		out["answer_error"] = v.AnswerError
	}
	writeJSON(w, http.StatusOK, out)
}

// exposure is one source's documents that every reader may see: those without groups.
type exposure struct {
	Source string `json:"source"`
	// Documents counts the source's indexed documents; Public those visible to everyone.
	Documents int64 `json:"documents"`
	Public    int64 `json:"visible_to_everyone"`
	// Listed are the first of the public documents by path (at most maxListed).
	Listed []exposedDocument `json:"documents_visible_to_everyone"`
}

type exposedDocument struct {
	ID    int64  `json:"id"`
	Path  string `json:"path"`
	Title string `json:"title"`
}

// maxListed bounds the public documents listed per source; the count is always complete.
const maxListed = 500

// oversharing reports, per source, the indexed documents without groups, which every signed-in
// reader can find: the place to look for a rule that was meant to restrict a folder.
func (s *Server) oversharing(ctx context.Context) ([]exposure, error) {
	rows, err := s.Pool.Query(ctx, `SELECT s.name,
			count(d.id) FILTER (WHERE d.status = 'indexed'),
			count(d.id) FILTER (WHERE d.status = 'indexed' AND `+access.Everyone("d")+`)
		FROM sources s LEFT JOIN documents d ON d.source_id = s.id
		GROUP BY s.name ORDER BY s.name`)
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (exposure, error) {
		e := exposure{Listed: []exposedDocument{}}
		return e, row.Scan(&e.Source, &e.Documents, &e.Public)
	})
	if err != nil {
		return nil, err
	}
	rows, err = s.Pool.Query(ctx, `SELECT name, id, path, title FROM (
			SELECT s.name, d.id, d.path, d.title, row_number() OVER (PARTITION BY s.id ORDER BY d.path) AS n
			FROM documents d JOIN sources s ON s.id = d.source_id
			WHERE d.status = 'indexed' AND `+access.Everyone("d")+`) x
		WHERE n <= $1 ORDER BY name, path`, maxListed)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var src string
		var d exposedDocument
		if err := rows.Scan(&src, &d.ID, &d.Path, &d.Title); err != nil {
			return nil, err
		}
		if i := slices.IndexFunc(out, func(e exposure) bool { return e.Source == src }); i >= 0 {
			out[i].Listed = append(out[i].Listed, d)
		}
	}
	return out, rows.Err()
}

func (s *Server) oversharingPage(w http.ResponseWriter, r *http.Request) {
	report, err := s.oversharing(r.Context())
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, oversharingPage(s.pageFor(r, "Visible to everyone", "admin"), report))
}

func (s *Server) apiOversharing(w http.ResponseWriter, r *http.Request) {
	report, err := s.oversharing(r.Context())
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"sources": report})
}
