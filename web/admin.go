package web

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/docent-search/docent/internal/auth"
	"github.com/docent-search/docent/internal/reindex"
	"github.com/docent-search/docent/internal/source"
)

func (s *Server) adminPage(w http.ResponseWriter, r *http.Request) {
	s.renderAdmin(w, r, http.StatusOK, adminModel{Notice: takeNotice(w, r)})
}

// noticeCookie carries what a form that worked did ("Access of docs saved") to the page it
// redirects to, to be shown once. In the address, any link could put text of its choosing on
// an admin page in Docent's own voice ("Your session expired: sign in at …"); a cookie only
// this server sets cannot be supplied by a link.
const noticeCookie = "docent_notice"

// redirectWithNotice answers a form that worked: back to page (its path, then query and
// fragment), which shows notice once (see takeNotice), so a reload never re-submits.
func redirectWithNotice(w http.ResponseWriter, r *http.Request, path, rest, notice string) {
	http.SetCookie(w, &http.Cookie{Name: noticeCookie, Value: url.QueryEscape(notice), Path: path,
		MaxAge: 60, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, path+rest, http.StatusSeeOther)
}

// takeNotice returns the notice redirectWithNotice left for this page and clears it.
func takeNotice(w http.ResponseWriter, r *http.Request) string {
	c, err := r.Cookie(noticeCookie)
	if err != nil {
		return ""
	}
	http.SetCookie(w, &http.Cookie{Name: noticeCookie, Path: r.URL.Path, MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	notice, err := url.QueryUnescape(c.Value)
	if err != nil || checkText("notice", notice) != nil {
		return ""
	}
	return notice
}

// renderAdmin shows the admin page with m's notice, error and typed form, and the sources,
// jobs and audit entries read now.
func (s *Server) renderAdmin(w http.ResponseWriter, r *http.Request, status int, m adminModel) {
	m.page, m.Roots = s.pageFor(r, "Admin", "admin"), s.SourceRoots
	var err error
	if m.Sources, err = source.Report(r.Context(), s.Pool, ""); err != nil {
		s.error(w, r, err)
		return
	}
	if m.Jobs, err = s.Jobs.Recent(r.Context(), 5); err != nil {
		s.error(w, r, err)
		return
	}
	if m.Audit, err = auth.AuditLog(r.Context(), s.Pool, 10); err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, status, adminPage(m))
}

// adminDone answers a form of the admin page. Once it worked it goes back to the page with
// notice, so a reload never re-submits. A refusal shows the page with the error and its 4xx
// status, and the form as typed (edited names the source whose form it was; "" is the add
// form), so neither a script nor a proxy takes it for a success and the admin loses no rules
// to a typo; anything else is the error page.
func (s *Server) adminDone(w http.ResponseWriter, r *http.Request, edited, notice string, err error) {
	s.formDone(w, r, "/admin", notice, err, sourceError, func(status int, msg string) {
		s.renderAdmin(w, r, status, adminModel{Error: msg, Typed: r.PostForm, Edited: edited})
	})
}

// formDone answers a form of an admin page: on success back to page with notice; a refusal
// (a 4xx once told by explain, through as) goes to refused with its status and message;
// anything else is the error page.
func (s *Server) formDone(w http.ResponseWriter, r *http.Request, page, notice string, err error, as func(error) error, refused func(status int, msg string)) {
	if err == nil {
		redirectWithNotice(w, r, page, "", notice)
		return
	}
	status, msg := s.explain(w, r, as(err))
	if status >= http.StatusInternalServerError {
		s.fail(w, r, status, msg)
		return
	}
	refused(status, msg)
}

// sourceError is the client error a refusal of package source is, told as it is.
func sourceError(err error) error {
	switch {
	case errors.Is(err, source.ErrInvalid):
		return badRequest(err.Error())
	case errors.Is(err, source.ErrNotFound):
		return notFound(err.Error())
	case errors.Is(err, source.ErrExists):
		return problem{http.StatusConflict, err.Error()}
	}
	return err
}

// sourceForm reads a source from a submitted form. A body that is not a form, or one with an
// escape that does not decode, is refused: net/http's PostFormValue reads what it cannot parse
// as absent, and an absent groups field is "everyone". For the same reason a form that saves
// access (all, the change form) must carry groups and rules, empty or not.
func sourceForm(r *http.Request, all bool) (source.Source, error) {
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/x-www-form-urlencoded" {
		return source.Source{}, badRequest("the form could not be read: want Content-Type application/x-www-form-urlencoded, not " + strconv.Quote(ct))
	}
	if err := r.ParseForm(); err != nil {
		return source.Source{}, badRequest("the form could not be read: " + err.Error())
	}
	if all {
		for _, field := range []string{"groups", "rules"} {
			if _, ok := r.PostForm[field]; !ok {
				return source.Source{}, badRequest(field + ": missing from the form (send it empty for none): saving without it would clear it")
			}
		}
	}
	src := source.Source{Name: strings.TrimSpace(r.PostFormValue("name")), Root: strings.TrimSpace(r.PostFormValue("path")),
		Groups: source.SplitGroups(r.PostFormValue("groups"))}
	every, err := source.ParseEvery(r.PostFormValue("every"))
	if err != nil {
		return src, err
	}
	src.Every = every
	src.Watch = r.PostFormValue("watch") == "on"
	for _, line := range strings.Split(r.PostFormValue("rules"), "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		rule, err := source.ParseRule(line)
		if err != nil {
			return src, err
		}
		src.Rules = append(src.Rules, rule)
	}
	return src, nil
}

func (s *Server) adminAdd(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	src, err := sourceForm(r, false)
	if err == nil {
		src.Root, err = s.allowedRoot(src.Root)
	}
	if err == nil {
		var added source.Source
		added, err = source.Add(r.Context(), s.Pool, src)
		// AddSource resolves the folder again: a link swapped in between the two resolutions
		// must not store a folder other than the one the roots check approved.
		if err == nil && added.Root != src.Root {
			err = errors.Join(problem{http.StatusConflict, "the folder changed while it was being added; try again"},
				source.Remove(r.Context(), s.Pool, src.Name))
		}
	}
	if err == nil {
		_, err = s.Jobs.Enqueue(r.Context(), src.Name, userFrom(r.Context()).Name)
	}
	s.adminDone(w, r, "", "Source "+src.Name+" added; indexing has started.", err)
}

// allowedRoot accepts only folders under the configured source roots, symlinks resolved, so a
// browser session cannot index /etc; it returns the folder's real path, the one approved.
func (s *Server) allowedRoot(path string) (string, error) {
	if len(s.SourceRoots) == 0 {
		return "", badRequest("adding sources from the browser is off: set DOCENT_SOURCE_ROOTS")
	}
	real, err := filepath.EvalSymlinks(path)
	if err != nil || !filepath.IsAbs(path) {
		return "", badRequest("the folder must be an absolute path to an existing folder")
	}
	for _, root := range s.SourceRoots {
		rr, err := filepath.EvalSymlinks(root)
		if err != nil {
			continue
		}
		if real == rr || strings.HasPrefix(real, rr+string(filepath.Separator)) {
			return real, nil
		}
	}
	return "", badRequest("the folder is not under any of DOCENT_SOURCE_ROOTS: " + strings.Join(s.SourceRoots, ", "))
}

func (s *Server) adminUpdate(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	form, err := sourceForm(r, true)
	var src source.Source
	if err == nil {
		src, err = source.Get(r.Context(), s.Pool, r.PathValue("name"))
	}
	var narrowed source.Narrowed
	if err == nil {
		src.Groups, src.Rules, src.Every, src.Watch = form.Groups, form.Rules, form.Every, form.Watch
		// Not cancelled with the request: narrowing a large source takes longer than a proxy
		// may wait for the answer, and a save undone by the proxy's timeout could never be made.
		narrowed, err = source.Update(context.WithoutCancel(r.Context()), s.Pool, src)
	}
	if err == nil {
		// Update narrowed what it could; wider groups, and those of symlinks' targets, reach
		// the documents on the next run: start it now.
		_, err = s.Jobs.Enqueue(context.WithoutCancel(r.Context()), src.Name, userFrom(r.Context()).Name)
	}
	s.adminDone(w, r, r.PathValue("name"), updateNotice(src.Name, narrowed), err)
}

// updateNotice tells the admin what saving a source's access did at once and what waits for
// the re-index: documents hidden from every reader meanwhile are worth a word.
func updateNotice(name string, n source.Narrowed) string {
	notice := "Access of " + name + " saved"
	if n.Documents > 0 {
		notice += fmt.Sprintf("; %d documents narrowed to it now", n.Documents)
	}
	if n.Hidden > 0 {
		notice += fmt.Sprintf(" (%d of them visible to nobody until the re-index gives them their new groups)", n.Hidden)
	}
	return notice + "; re-indexing applies the rest."
}

func (s *Server) adminRemove(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	s.adminDone(w, r, "", "Source "+name+" removed with its documents.", source.Remove(r.Context(), s.Pool, name))
}

func (s *Server) adminReindex(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	_, err := s.Jobs.Enqueue(r.Context(), name, userFrom(r.Context()).Name)
	s.adminDone(w, r, "", "Re-indexing "+name+".", err)
}

// jobID is the id of a source's latest job while it is to come or running, for the page's
// script to follow; recent are the source's jobs, newest first.
func jobID(recent []reindex.Job) string {
	if len(recent) > 0 && recent[0].Status.Active() {
		return strconv.FormatInt(recent[0].ID, 10)
	}
	return ""
}

func everyText(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return d.String()
}

func rulesText(rules []source.Rule) string {
	var lines []string
	for _, r := range rules {
		lines = append(lines, r.Glob+"="+strings.Join(r.Groups, ","))
	}
	return strings.Join(lines, "\n")
}
