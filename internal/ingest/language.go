package ingest

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/docent-search/docent/internal/language"
	"github.com/docent-search/docent/internal/textseg"
)

// textConfigs gives each chunk the text-search configuration of its language: the language
// detected for the passage (or its document, for a short one), or the configured one
// (DOCENT_TS_CONFIG) for text in no detected language.
type textConfigs struct {
	detector *language.Detector
	fallback uint32
	oids     map[string]uint32 // configuration name → oid
}

// loadTextConfigs reads the server's text-search configurations and resolves languages (a
// DOCENT_LANGUAGES value) against them; fallback must name one of them.
func loadTextConfigs(ctx context.Context, pool *pgxpool.Pool, fallback, languages string) (textConfigs, error) {
	rows, err := pool.Query(ctx, `SELECT cfgname::text, oid::int8 FROM pg_ts_config`)
	if err != nil {
		return textConfigs{}, fmt.Errorf("reading the text-search configurations: %w", err)
	}
	type config struct {
		Name string
		OID  int64
	}
	cs, err := pgx.CollectRows(rows, pgx.RowToStructByPos[config])
	if err != nil {
		return textConfigs{}, fmt.Errorf("reading the text-search configurations: %w", err)
	}
	tc := textConfigs{oids: map[string]uint32{}}
	var names []string
	for _, c := range cs {
		tc.oids[c.Name] = uint32(c.OID)
		names = append(names, c.Name)
	}
	var ok bool
	if tc.fallback, ok = tc.oids[fallback]; !ok {
		return textConfigs{}, fmt.Errorf("DOCENT_TS_CONFIG %q is not a text-search configuration of this PostgreSQL (see \\dF in psql)", fallback)
	}
	codes, err := language.Resolve(languages, names)
	if err != nil {
		return textConfigs{}, fmt.Errorf("DOCENT_LANGUAGES: %w", err)
	}
	tc.detector = language.NewDetector(codes)
	return tc, nil
}

// chunkLanguage is what a chunk row records of its language.
type chunkLanguage struct {
	Code     string // ISO 639-1, "" when none was detected
	TSConfig uint32
}

// assign returns the language of each chunk.
func (tc textConfigs) assign(cs []Chunk) []chunkLanguage {
	texts := make([]string, len(cs))
	for i, c := range cs {
		texts[i] = c.Text
	}
	out := make([]chunkLanguage, len(cs))
	var codes []string
	if tc.detector != nil {
		codes = tc.detector.Detect(texts)
	}
	for i := range out {
		out[i].TSConfig = tc.fallback
		if i < len(codes) && codes[i] != "" {
			out[i].Code = codes[i]
			if oid, ok := tc.oids[language.Config(codes[i])]; ok {
				out[i].TSConfig = oid
			}
		}
	}
	return out
}

// segmented returns the title, heading and text as the lexical index parses them (CJK runs cut
// into bigrams), or nil when none holds CJK: the column stays NULL and the text is parsed as is.
func segmented(title, heading, text string) []string {
	t, h, x := textseg.CJKBigrams(title), textseg.CJKBigrams(heading), textseg.CJKBigrams(text)
	if t == title && h == heading && x == text {
		return nil
	}
	return []string{t, h, x}
}
