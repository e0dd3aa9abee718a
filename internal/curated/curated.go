// Package curated owns curated answers: an admin's answer to a question pattern, shown to the
// readers of chosen groups above the generated answer when their question matches, with pinned
// documents that retrieval puts first for those questions. Who may see an answer follows
// internal/access, as for documents: a reader outside its groups never sees it, nor learns that
// it exists. Admins manage every answer; expired ones (past their review-by date) are listed
// for the insights page.
package curated

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/docent-search/docent/internal/access"
	"github.com/docent-search/docent/internal/embedder"
	"github.com/docent-search/docent/internal/postgres"
)

// Limits on what an admin writes, in bytes: a question is a question, an answer a page.
const (
	MaxQuestion = 1000
	MaxAnswer   = 20000
	MaxPins     = 20
)

// DateLayout is how a review-by date is written, in the API and the admin form.
const DateLayout = "2006-01-02"

// Pin names a pinned document by its source and path: a re-indexed document may get a new id.
type Pin struct {
	Source   string `json:"source"`
	Document string `json:"document"`
}

// Input is what an admin writes: the fields of POST and PUT /api/curated.
type Input struct {
	Question string   `json:"question"`
	Answer   string   `json:"answer"`
	Groups   []string `json:"groups"`
	Owner    string   `json:"owner"`
	ReviewBy string   `json:"review_by"`
	Pinned   []Pin    `json:"pinned"`
}

// Entry is a stored curated answer.
type Entry struct {
	ID int64 `json:"id"`
	Input
	// Expired is true once the review-by date has passed: the answer is still shown, flagged.
	Expired   bool      `json:"expired"`
	CreatedBy string    `json:"created_by"`
	Updated   time.Time `json:"updated"`
}

// FieldError names the field of an Input at fault.
type FieldError struct{ Field, Problem string }

func (e FieldError) Error() string { return e.Field + ": " + e.Problem }

// ErrNotFound is returned for an id with no curated answer.
var ErrNotFound = errors.New("no such curated answer")

// Check returns a FieldError for the first field that is missing, too long or malformed.
func (in Input) Check() error {
	switch {
	case Normalise(in.Question) == "":
		return FieldError{"question", "must contain words"}
	case len(in.Question) > MaxQuestion:
		return FieldError{"question", fmt.Sprintf("at most %d bytes", MaxQuestion)}
	case strings.TrimSpace(in.Answer) == "":
		return FieldError{"answer", "must not be empty"}
	case len(in.Answer) > MaxAnswer:
		return FieldError{"answer", fmt.Sprintf("at most %d bytes", MaxAnswer)}
	case strings.TrimSpace(in.Owner) == "":
		return FieldError{"owner", "must name who keeps this answer up to date"}
	case len(in.Owner) > 200:
		return FieldError{"owner", "at most 200 bytes"}
	case len(in.Pinned) > MaxPins:
		return FieldError{"pinned", fmt.Sprintf("at most %d documents", MaxPins)}
	}
	if d, err := time.Parse(DateLayout, in.ReviewBy); err != nil || d.Year() < 2000 {
		return FieldError{"review_by", "must be a date written YYYY-MM-DD, from the year 2000"}
	}
	for _, g := range in.Groups {
		if strings.TrimSpace(g) == "" || len(g) > 200 {
			return FieldError{"groups", "each group must be a non-empty name of at most 200 bytes"}
		}
		if !postgres.StorableText(g) {
			return FieldError{"groups", "must be UTF-8 text without NUL characters"}
		}
	}
	for _, p := range in.Pinned {
		if p.Source == "" || p.Document == "" {
			return FieldError{"pinned", `each pinned document must name its "source" and "document" (its path)`}
		}
		if !postgres.StorableText(p.Source) || !postgres.StorableText(p.Document) {
			return FieldError{"pinned", "must be UTF-8 text without NUL characters"}
		}
	}
	for field, v := range map[string]string{"question": in.Question, "answer": in.Answer, "owner": in.Owner} {
		if !postgres.StorableText(v) {
			return FieldError{field, "must be UTF-8 text without NUL characters"}
		}
	}
	return nil
}

// DefaultMinSimilarity is the cosine similarity, with the built-in embedder, above which a
// question matches a pattern it does not equal. Calibrated by TestMatchCalibration on every
// pair of a handbook-eval and a handbook-everyday question (43 pairs asking for the same fact
// of the same page, in deliberately different words, against 2,962 pairs about different
// pages): at 0.55 no pair about another page matches (precision 1.00), and 2 of the 43
// rewordings do (recall 0.05); at 0.50, 4 of 8 matches are wrong. A wrong curated answer shown
// first is worse than none, so the threshold stays where precision is perfect: paraphrases
// that share few words are left to the generated answer.
const DefaultMinSimilarity = 0.55

// Store keeps curated answers.
type Store struct {
	Pool *pgxpool.Pool
	// Embedder embeds patterns and questions for matching; nil matches equal text only.
	Embedder embedder.Embedder
	// MinSimilarity is the threshold for similar questions (default DefaultMinSimilarity).
	MinSimilarity float64
	// Now is the clock, for review-by dates (default time.Now).
	Now func() time.Time
}

func (s *Store) today() time.Time {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	y, m, d := now().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// embed returns a question's vector and the model that made it; none without an embedder. The
// text is embedded as written: embedding the normalised text instead matched half as many
// rewordings in TestMatchCalibration (1 of 43), the punctuation and case it drops being
// features of the built-in embedder.
func (s *Store) embed(ctx context.Context, question string) ([]float32, string, error) {
	if s.Embedder == nil {
		return []float32{}, "", nil
	}
	v, err := s.Embedder.EmbedQuery(ctx, question)
	if err != nil {
		return nil, "", fmt.Errorf("embedding the curated question: %w", err)
	}
	return v, s.Embedder.Model(), nil
}

func clean(in Input) Input {
	in.Question, in.Owner = strings.TrimSpace(in.Question), strings.TrimSpace(in.Owner)
	groups := []string{}
	for _, g := range in.Groups {
		groups = append(groups, strings.TrimSpace(g))
	}
	in.Groups = groups
	if in.Pinned == nil {
		in.Pinned = []Pin{}
	}
	return in
}

// Create stores a new curated answer written by admin and returns its id.
func (s *Store) Create(ctx context.Context, in Input, admin string) (int64, error) {
	if err := in.Check(); err != nil {
		return 0, err
	}
	in = clean(in)
	vec, model, err := s.embed(ctx, in.Question)
	if err != nil {
		return 0, err
	}
	var id int64
	err = s.Pool.QueryRow(ctx, `INSERT INTO curated_answers (question, normalised, answer, groups, owner, review_by, pinned, embedding, model, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		in.Question, Normalise(in.Question), in.Answer, in.Groups, in.Owner, in.ReviewBy, in.Pinned, vec, model, admin).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("saving the curated answer: %w", err)
	}
	return id, nil
}

// Update replaces curated answer id with in.
func (s *Store) Update(ctx context.Context, id int64, in Input) error {
	if err := in.Check(); err != nil {
		return err
	}
	in = clean(in)
	vec, model, err := s.embed(ctx, in.Question)
	if err != nil {
		return err
	}
	tag, err := s.Pool.Exec(ctx, `UPDATE curated_answers SET question = $2, normalised = $3, answer = $4, groups = $5, owner = $6,
		review_by = $7, pinned = $8, embedding = $9, model = $10, updated_at = now() WHERE id = $1`,
		id, in.Question, Normalise(in.Question), in.Answer, in.Groups, in.Owner, in.ReviewBy, in.Pinned, vec, model)
	if err != nil {
		return fmt.Errorf("saving curated answer %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
}

// Delete removes curated answer id.
func (s *Store) Delete(ctx context.Context, id int64) error {
	tag, err := s.Pool.Exec(ctx, `DELETE FROM curated_answers WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("deleting curated answer %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
}

const entryColumns = `id, question, answer, groups, owner, to_char(review_by, 'YYYY-MM-DD'), pinned, created_by, updated_at`

func (s *Store) scanEntry(row pgx.CollectableRow) (Entry, error) {
	var e Entry
	err := row.Scan(&e.ID, &e.Question, &e.Answer, &e.Groups, &e.Owner, &e.ReviewBy, &e.Pinned, &e.CreatedBy, &e.Updated)
	if err == nil {
		e.Expired = s.expired(e.ReviewBy)
	}
	return e, err
}

func (s *Store) expired(reviewBy string) bool {
	d, err := time.Parse(DateLayout, reviewBy)
	return err == nil && d.Before(s.today())
}

// Get returns curated answer id, whoever may see it: for admins.
func (s *Store) Get(ctx context.Context, id int64) (Entry, error) {
	return s.one(ctx, `SELECT `+entryColumns+` FROM curated_answers WHERE id = $1`, id)
}

// Visible returns curated answer id when a reader of groups may see it, and ErrNotFound both
// when there is none and when it is outside their groups.
func (s *Store) Visible(ctx context.Context, id int64, groups []string) (Entry, error) {
	return s.one(ctx, `SELECT `+entryColumns+` FROM curated_answers a WHERE id = $1 AND `+access.Visible("a", "$2"), id, nonNil(groups))
}

func (s *Store) one(ctx context.Context, sql string, args ...any) (Entry, error) {
	rows, _ := s.Pool.Query(ctx, sql, args...)
	e, err := pgx.CollectExactlyOneRow(rows, s.scanEntry)
	if errors.Is(err, pgx.ErrNoRows) {
		return e, ErrNotFound
	}
	if err != nil {
		return e, fmt.Errorf("reading curated answer: %w", err)
	}
	return e, nil
}

// List returns every curated answer, the soonest to review first: for admins.
func (s *Store) List(ctx context.Context) ([]Entry, error) {
	return s.list(ctx, `SELECT `+entryColumns+` FROM curated_answers ORDER BY review_by, id`)
}

// Expired returns the curated answers past their review-by date, the longest overdue first:
// for admins (the insights page flags them).
func (s *Store) Expired(ctx context.Context) ([]Entry, error) {
	return s.list(ctx, `SELECT `+entryColumns+` FROM curated_answers WHERE review_by < $1 ORDER BY review_by, id`, s.today())
}

func (s *Store) list(ctx context.Context, sql string, args ...any) ([]Entry, error) {
	rows, _ := s.Pool.Query(ctx, sql, args...)
	out, err := pgx.CollectRows(rows, s.scanEntry)
	if err != nil {
		return nil, fmt.Errorf("listing curated answers: %w", err)
	}
	return out, nil
}

// Match is the curated answer for a reader's question.
type Match struct {
	Entry
	// Documents are the ids of the pinned documents the reader may see, in the pinned order.
	Documents []int64
	// Similarity is the question's cosine similarity to the pattern (1 when they are equal).
	Similarity float64
}

// Match returns the curated answer whose pattern best matches question among those a reader
// of groups may see, or nil: equal normalised text first, else the most similar pattern at or
// above MinSimilarity.
func (s *Store) Match(ctx context.Context, question string, groups []string) (*Match, error) {
	norm := Normalise(question)
	if norm == "" {
		return nil, nil
	}
	type candidate struct {
		id                   int64
		question, normalised string
		embedding            []float32
		model                string
	}
	rows, _ := s.Pool.Query(ctx, `SELECT id, question, normalised, embedding, model FROM curated_answers a WHERE `+access.Visible("a", "$1"), nonNil(groups))
	cands, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (candidate, error) {
		var c candidate
		return c, row.Scan(&c.id, &c.question, &c.normalised, &c.embedding, &c.model)
	})
	if err != nil {
		return nil, fmt.Errorf("matching curated answers: %w", err)
	}
	if len(cands) == 0 {
		return nil, nil
	}
	best, bestSim := int64(0), 0.0
	for _, c := range cands {
		if c.normalised == norm {
			best, bestSim = c.id, 1
			break
		}
	}
	if best == 0 && s.Embedder != nil {
		vec, model, err := s.embed(ctx, question)
		if err != nil {
			return nil, err
		}
		for _, c := range cands {
			if c.model != model {
				// Made by another model: re-embedded here, and stored for the next question.
				if c.embedding, _, err = s.embed(ctx, c.question); err != nil {
					return nil, err
				}
				s.Pool.Exec(ctx, `UPDATE curated_answers SET embedding = $2, model = $3 WHERE id = $1`, c.id, c.embedding, model)
			}
			if sim := embedder.Cosine(vec, c.embedding); sim >= cmp.Or(s.MinSimilarity, DefaultMinSimilarity) && sim > bestSim {
				best, bestSim = c.id, sim
			}
		}
	}
	if best == 0 {
		return nil, nil
	}
	e, err := s.Visible(ctx, best, groups)
	if errors.Is(err, ErrNotFound) {
		return nil, nil // deleted, or narrowed, since the candidates were read
	}
	if err != nil {
		return nil, err
	}
	docs, err := s.pinned(ctx, e.Pinned, groups)
	if err != nil {
		return nil, err
	}
	return &Match{Entry: e, Documents: docs, Similarity: bestSim}, nil
}

// pinned resolves pins to the ids of the indexed documents a reader of groups may see.
func (s *Store) pinned(ctx context.Context, pins []Pin, groups []string) ([]int64, error) {
	if len(pins) == 0 {
		return nil, nil
	}
	srcs, paths := make([]string, len(pins)), make([]string, len(pins))
	for i, p := range pins {
		srcs[i], paths[i] = p.Source, p.Document
	}
	rows, _ := s.Pool.Query(ctx, `SELECT d.id FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS p(source, path, n)
		JOIN sources s ON s.name = p.source
		JOIN documents d ON d.source_id = s.id AND d.path = p.path
		WHERE d.status = 'indexed' AND `+access.Visible("d", "$3")+` ORDER BY p.n`, srcs, paths, nonNil(groups))
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("reading pinned documents: %w", err)
	}
	return ids, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
