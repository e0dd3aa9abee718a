package insights

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Windows are the periods, in days, the insights may cover: a week, a month, the query log's
// default retention. Fixed choices keep every aggregation over a bounded, indexed range.
var Windows = []int{7, 30, 90}

// Day is one day's questions by outcome.
type Day struct {
	Day      string `json:"day"` // YYYY-MM-DD, UTC
	Answered int    `json:"answered"`
	Declined int    `json:"declined"`
	Errors   int    `json:"error"`
}

// Slow is one of the slowest questions.
type Slow struct {
	Question  string    `json:"question"`
	LatencyMS int       `json:"latency_ms"`
	Outcome   string    `json:"outcome"`
	At        time.Time `json:"at"`
}

// Stats are the query log's and the feedback's figures over the last Days days.
type Stats struct {
	Days      int     `json:"days"`
	Questions int     `json:"questions"`
	PerDay    []Day   `json:"per_day"`
	Answered  float64 `json:"answered_share"`
	Declined  float64 `json:"declined_share"`
	Errors    float64 `json:"error_share"`
	Up        int     `json:"thumbs_up"`
	Down      int     `json:"thumbs_down"`
	UpShare   float64 `json:"thumbs_up_share"`
	Slowest   []Slow  `json:"slowest"`
}

// maxSlowest is how many of the slowest questions are listed.
const maxSlowest = 10

// ReadStats returns the figures of the last days days (one of Windows), days counted in UTC
// with today the last.
func ReadStats(ctx context.Context, pool *pgxpool.Pool, days int) (Stats, error) {
	if !slices.Contains(Windows, days) {
		return Stats{}, FieldError{"days", "must be 7, 30 or 90"}
	}
	st := Stats{Days: days, PerDay: []Day{}, Slowest: []Slow{}}
	rows, err := pool.Query(ctx, `WITH days AS (
			SELECT generate_series(date_trunc('day', now() AT TIME ZONE 'UTC') - make_interval(days => $1 - 1),
				date_trunc('day', now() AT TIME ZONE 'UTC'), '1 day') AS day)
		SELECT to_char(d.day, 'YYYY-MM-DD'),
			count(*) FILTER (WHERE l.outcome = 'answered')::int, count(*) FILTER (WHERE l.outcome = 'declined')::int,
			count(*) FILTER (WHERE l.outcome = 'error')::int
		FROM days d LEFT JOIN query_log l ON l.at >= d.day AT TIME ZONE 'UTC' AND l.at < (d.day + '1 day') AT TIME ZONE 'UTC'
		GROUP BY d.day ORDER BY d.day`, days)
	if err != nil {
		return st, fmt.Errorf("counting questions per day: %w", err)
	}
	var d Day
	if _, err := pgx.ForEachRow(rows, []any{&d.Day, &d.Answered, &d.Declined, &d.Errors}, func() error {
		st.PerDay = append(st.PerDay, d)
		st.Questions += d.Answered + d.Declined + d.Errors
		return nil
	}); err != nil {
		return st, fmt.Errorf("counting questions per day: %w", err)
	}
	if n := float64(st.Questions); n > 0 {
		for _, d := range st.PerDay {
			st.Answered += float64(d.Answered) / n
			st.Declined += float64(d.Declined) / n
			st.Errors += float64(d.Errors) / n
		}
	}
	since := st.PerDay[0].Day
	if err := pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE rating = 'up')::int, count(*) FILTER (WHERE rating = 'down')::int
		FROM feedback WHERE at >= $1::date AT TIME ZONE 'UTC'`, since).Scan(&st.Up, &st.Down); err != nil {
		return st, fmt.Errorf("counting ratings: %w", err)
	}
	if st.Up+st.Down > 0 {
		st.UpShare = float64(st.Up) / float64(st.Up+st.Down)
	}
	rows, err = pool.Query(ctx, `SELECT question, latency_ms, outcome, at FROM query_log
		WHERE at >= $1::date AT TIME ZONE 'UTC' ORDER BY latency_ms DESC, at DESC LIMIT $2`, since, maxSlowest)
	if err != nil {
		return st, fmt.Errorf("finding the slowest questions: %w", err)
	}
	if st.Slowest, err = pgx.CollectRows(rows, pgx.RowToStructByPos[Slow]); err != nil {
		return st, fmt.Errorf("finding the slowest questions: %w", err)
	}
	if st.Slowest == nil {
		st.Slowest = []Slow{}
	}
	return st, nil
}
