package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/docent-search/docent/internal/curated"
	"github.com/docent-search/docent/internal/insights"
)

// ExpiredAnswer is a curated answer past its review-by date, flagged on the insights page.
type ExpiredAnswer struct {
	ID       int64  `json:"id"`
	Question string `json:"question"`
	Owner    string `json:"owner"`
	ReviewBy string `json:"review_by"`
}

// gaps is the knowledge-gap store over the server's database, embedder and query-log settings;
// gaps count the questions the query log keeps.
func (s *Server) gaps() *insights.Gaps {
	g := &insights.Gaps{Pool: s.Pool, Embedder: s.Searcher.Embedder, QueryLog: s.QueryLog}
	if s.QueryLog != nil {
		g.Window = s.QueryLog.Retention
	}
	return g
}

// listGaps groups what arrived since the last pass and lists the gaps for the request's admin.
// A failed grouping (an embedding server down) is logged and the gaps grouped so far listed.
func (s *Server) listGaps(r *http.Request, status string) ([]insights.Gap, error) {
	g := s.gaps()
	if err := g.Refresh(r.Context()); err != nil {
		s.Log.Warn("grouping unanswered questions into gaps", "err", err)
	}
	return g.List(r.Context(), groups(r), status)
}

// insightsDays reads ?days= (7, 30 or 90; default 30).
func insightsDays(r *http.Request) (int, error) {
	v := r.URL.Query().Get("days")
	if v == "" {
		return 30, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || !slices.Contains(insights.Windows, n) {
		return 0, badRequest("days: must be 7, 30 or 90")
	}
	return n, nil
}

// insightsReport is GET /api/insights: the figures, and the curated answers due for review.
type insightsReport struct {
	insights.Stats
	OpenGaps       int             `json:"open_gaps"`
	ExpiredCurated []ExpiredAnswer `json:"expired_curated"`
}

// report reads the figures of the window, the gaps (newly grouped first) and the expired
// curated answers.
func (s *Server) report(r *http.Request, days int) (insightsReport, []insights.Gap, error) {
	rep := insightsReport{ExpiredCurated: []ExpiredAnswer{}}
	var err error
	if rep.Stats, err = insights.ReadStats(r.Context(), s.Pool, days); err != nil {
		return rep, nil, err
	}
	gaps, err := s.listGaps(r, "")
	if err != nil {
		return rep, nil, err
	}
	for _, g := range gaps {
		if g.Status != insights.Resolved {
			rep.OpenGaps++
		}
	}
	expired, err := s.Curated.Expired(r.Context())
	if err != nil {
		return rep, nil, err
	}
	for _, e := range expired {
		rep.ExpiredCurated = append(rep.ExpiredCurated, ExpiredAnswer{ID: e.ID, Question: e.Question, Owner: e.Owner, ReviewBy: e.ReviewBy})
	}
	return rep, gaps, nil
}

// apiInsights is GET /api/insights?days=30.
func (s *Server) apiInsights(w http.ResponseWriter, r *http.Request) {
	days, err := insightsDays(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	rep, _, err := s.report(r, days)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

// apiGaps is GET /api/insights/gaps[?status=open|assigned|resolved].
func (s *Server) apiGaps(w http.ResponseWriter, r *http.Request) {
	p, err := textParams(r.URL.Query(), "status")
	if err != nil {
		s.error(w, r, err)
		return
	}
	switch p["status"] {
	case "", insights.Open, insights.Assigned, insights.Resolved:
	default:
		s.error(w, r, badRequest(`status: must be "open", "assigned" or "resolved"`))
		return
	}
	gaps, err := s.listGaps(r, p["status"])
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string][]insights.Gap{"gaps": gaps})
}

// apiGapChange is POST /api/insights/gaps/{id} {"status", "owner", "resolution": {"kind",
// "source", "document", "curated"}}.
func (s *Server) apiGapChange(w http.ResponseWriter, r *http.Request) {
	var c insights.Change
	if err := decodeJSON(w, r, &c); err != nil {
		s.error(w, r, badRequest(`request body must be JSON like {"status": "assigned", "owner": "ann"} or {"status": "resolved", "resolution": {"kind": "document", "source": "handbook", "document": "policies/travel.md"}}: `+err.Error()))
		return
	}
	id, owner, err := s.changeGap(r, c)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "status": c.Status, "owner": owner, "resolution": c.Resolution})
}

// gapForm is POST /admin/insights/gaps/{id}, the form under each gap, which works without
// JavaScript: it applies the change and goes back to the page.
func (s *Server) gapForm(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		s.error(w, r, badRequest("the gap form could not be read: "+err.Error()))
		return
	}
	f := r.PostForm
	owner := f.Get("owner")
	c := insights.Change{Status: f.Get("status"), Owner: &owner}
	if c.Status == insights.Resolved {
		c.Resolution = &insights.Resolution{Kind: f.Get("resolution")}
		if c.Resolution.Kind == insights.ByCurated {
			// Not a number: -1, which Update refuses naming the field.
			c.Resolution.Curated = -1
			if id, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(f.Get("curated")), "#"), 10, 64); err == nil {
				c.Resolution.Curated = id
			}
		}
		if doc := strings.TrimSpace(f.Get("document")); c.Resolution.Kind == insights.ByDocument {
			c.Resolution.Source, c.Resolution.Document, _ = strings.Cut(doc, ":")
		}
	}
	if _, _, err := s.changeGap(r, c); err != nil {
		// A refusal is the page with the error and its 4xx status, so neither a script nor a
		// proxy takes it for a success.
		status, msg := s.explain(w, r, err)
		if status >= http.StatusInternalServerError {
			s.fail(w, r, status, msg)
			return
		}
		days, err := strconv.Atoi(f.Get("days"))
		if !slices.Contains(insights.Windows, days) || err != nil {
			days = 30
		}
		s.renderInsights(w, r, status, days, "", msg)
		return
	}
	redirectWithNotice(w, r, "/admin/insights", "?"+url.Values{"days": {f.Get("days")}}.Encode()+"#gap-"+r.PathValue("id"),
		"Gap "+r.PathValue("id")+" is now "+c.Status+".")
}

// changeGap applies an admin's change to the gap named in the path and records it in the audit
// log, as a client error when the input or the gap is at fault. It returns the gap's id and
// owner.
func (s *Server) changeGap(r *http.Request, c insights.Change) (int64, string, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return 0, "", notFound("no such gap")
	}
	if err := checkText("status", c.Status); err != nil {
		return 0, "", err
	}
	if c.Owner != nil {
		if err := checkText("owner", *c.Owner); err != nil {
			return 0, "", err
		}
	}
	if res := c.Resolution; res != nil {
		for field, v := range map[string]string{"resolution.kind": res.Kind, "resolution.source": res.Source,
			"resolution.document": res.Document} {
			if err := checkText(field, v); err != nil {
				return 0, "", err
			}
		}
	}
	owner, err := s.gaps().Update(r.Context(), id, c, userFrom(r.Context()).Name, groups(r))
	var field insights.FieldError
	switch {
	case errors.As(err, &field):
		return 0, "", badRequest(field.Error())
	case errors.Is(err, insights.ErrNotFound):
		return 0, "", notFound("no such gap")
	case err != nil:
		return 0, "", err
	}
	detail := "status=" + strconv.Quote(c.Status) + " owner=" + strconv.Quote(owner)
	if res := c.Resolution; res != nil {
		detail += " resolution=" + strconv.Quote(res.Kind)
		switch res.Kind {
		case insights.ByDocument:
			detail += " document=" + strconv.Quote(res.Source+":"+res.Document)
		case insights.ByCurated:
			detail += " curated=" + strconv.FormatInt(res.Curated, 10)
		}
	}
	s.audit(r, "gap "+c.Status, strconv.FormatInt(id, 10), detail)
	return id, owner, nil
}

// insightsPage is /admin/insights?days=30: the charts, the gaps with their forms, and the
// curated answers due for review.
func (s *Server) insightsPage(w http.ResponseWriter, r *http.Request) {
	days, err := insightsDays(r)
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, err.Error())
		return
	}
	s.renderInsights(w, r, http.StatusOK, days, takeNotice(w, r), "")
}

// renderInsights shows the insights page over the last days with a notice or an error.
func (s *Server) renderInsights(w http.ResponseWriter, r *http.Request, status, days int, notice, problem string) {
	rep, gaps, err := s.report(r, days)
	if err != nil {
		s.error(w, r, err)
		return
	}
	m := insightsModel{page: s.pageFor(r, "Insights", "admin"), Report: rep, Gaps: gaps,
		Notice: notice, Error: problem, Charts: charts(rep.Stats)}
	if len(gaps) > 0 {
		// The choices of the gaps' "curated answer id" fields.
		if m.CuratedAnswers, err = s.Curated.List(r.Context()); err != nil {
			s.error(w, r, err)
			return
		}
	}
	s.render(w, r, status, insightsPage(m))
}

// Chart geometry: the SVGs are drawn in these units and scale to the page's width.
const (
	chartWidth  = 640.0
	chartHeight = 160.0
	chartLeft   = 36.0 // room for the axis labels
	barHeight   = 22.0
)

// bar is one rectangle of a chart, with the text a screen reader or a hover shows.
type bar struct {
	X, Y, W, H float64
	Class      string
	Title      string
}

// label is a text on a chart.
type label struct {
	X, Y   float64
	Anchor string
	Text   string
}

// chart is a drawn chart: its bars and labels, its height, and what it shows in words.
type chart struct {
	ID, Title, Desc string
	Height          float64
	Bars            []bar
	Labels          []label
}

type insightsModel struct {
	page
	Report insightsReport
	Gaps   []insights.Gap
	Charts []chart
	Notice string
	Error  string
	// CuratedAnswers are every curated answer, offered in the gaps' forms.
	CuratedAnswers []curated.Entry
}

// charts draws the figures: questions per day by outcome, the outcome shares, the 👍/👎 share
// and the slowest questions.
func charts(st insights.Stats) []chart {
	perDay := chart{ID: "chart-days", Title: "Questions per day",
		Desc:   fmt.Sprintf("%d questions in the last %d days, by outcome: answered, declined, error.", st.Questions, st.Days),
		Height: chartHeight + 20}
	most := 1
	for _, d := range st.PerDay {
		most = max(most, d.Answered+d.Declined+d.Errors)
	}
	step := (chartWidth - chartLeft) / float64(len(st.PerDay))
	for i, d := range st.PerDay {
		x, y := chartLeft+float64(i)*step, chartHeight
		title := fmt.Sprintf("%s: %d answered, %d declined, %d errors", d.Day, d.Answered, d.Declined, d.Errors)
		for _, part := range []struct {
			n     int
			class string
		}{{d.Answered, "answered"}, {d.Declined, "declined"}, {d.Errors, "failed"}} {
			if part.n == 0 {
				continue
			}
			h := float64(part.n) / float64(most) * (chartHeight - 10)
			y -= h
			perDay.Bars = append(perDay.Bars, bar{X: x + step*0.1, Y: y, W: step * 0.8, H: h, Class: part.class, Title: title})
		}
	}
	perDay.Labels = []label{{chartLeft - 4, 14, "end", strconv.Itoa(most)}, {chartLeft - 4, chartHeight, "end", "0"}}
	if n := len(st.PerDay); n > 0 {
		perDay.Labels = append(perDay.Labels, label{chartLeft, chartHeight + 16, "start", st.PerDay[0].Day},
			label{chartWidth, chartHeight + 16, "end", st.PerDay[n-1].Day})
	}
	outcomes := shareBar("chart-outcomes", "Answered and declined", []share{
		{"answered", "answered", st.Answered}, {"declined", "declined", st.Declined}, {"failed", "error", st.Errors}}, st.Questions == 0)
	thumbs := shareBar("chart-thumbs", "Ratings", []share{
		{"answered", fmt.Sprintf("%d thumbs up", st.Up), st.UpShare}, {"declined", fmt.Sprintf("%d thumbs down", st.Down), 1 - st.UpShare}}, st.Up+st.Down == 0)
	slow := chart{ID: "chart-slowest", Title: "Slowest questions", Height: float64(len(st.Slowest))*(barHeight+6) + 4}
	slowest := 1
	for _, q := range st.Slowest {
		slowest = max(slowest, q.LatencyMS)
	}
	for i, q := range st.Slowest {
		y := float64(i)*(barHeight+6) + 2
		w := float64(q.LatencyMS) / float64(slowest) * (chartWidth - 80)
		slow.Bars = append(slow.Bars, bar{X: 0, Y: y, W: max(w, 1), H: barHeight, Class: "slow",
			Title: fmt.Sprintf("%d ms (%s): %s", q.LatencyMS, q.Outcome, q.Question)})
		slow.Labels = append(slow.Labels, label{6, y + 15, "start", truncateText(q.Question, 70)},
			label{chartWidth, y + 15, "end", fmt.Sprintf("%d ms", q.LatencyMS)})
	}
	slow.Desc = fmt.Sprintf("The %d slowest questions of the last %d days, by latency.", len(st.Slowest), st.Days)
	return []chart{perDay, outcomes, thumbs, slow}
}

// share is one part of a 100% bar.
type share struct {
	class, name string
	value       float64
}

// shareBar draws parts side by side over the chart's width, each labelled with its share.
func shareBar(id, title string, parts []share, empty bool) chart {
	c := chart{ID: id, Title: title, Height: barHeight + 22}
	var words []string
	x := 0.0
	for _, p := range parts {
		if empty || p.value <= 0 {
			continue
		}
		pct := fmt.Sprintf("%s %.0f%%", p.name, p.value*100)
		words = append(words, pct)
		w := p.value * chartWidth
		c.Bars = append(c.Bars, bar{X: x, Y: 0, W: w, H: barHeight, Class: p.class, Title: pct})
		x += w
	}
	c.Desc = strings.Join(words, " · ")
	if empty {
		c.Desc = "Nothing yet in this period."
	}
	c.Labels = []label{{0, barHeight + 16, "start", c.Desc}}
	return c
}

// truncateText cuts s to n runes, marking the cut.
func truncateText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func svgNum(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }
