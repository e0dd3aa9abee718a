package retrieve_test

import (
	"context"
	"runtime"
	"strings"
	"testing"

	"github.com/docent-search/docent/internal/embedder"
	"github.com/docent-search/docent/internal/wordvec"
)

// Misspelt words are corrected to the word the reader's documents hold; real words the
// documents lack, names, short words and words only documents the reader may not see hold stay
// as typed, and an embedder without a lexicon corrects nothing.
func TestCorrect(t *testing.T) {
	t.Parallel()
	e, err := embedder.NewLocalV3(wordvec.DefaultPath)
	if err != nil {
		t.Fatal(err)
	}
	b := setupWith(t, map[string]string{
		"holidays.md": "# Holidays\n\nFull-time employees get 27 days of paid vacation per year. Book them before the start date.\n",
		"laptop.md":   "# Lost laptop\n\nReport a stolen laptop to security within one hour. Reimbursement of a replacement needs approval.\n",
		"wifi.txt":    "Office Wi-Fi\n\nThe guest password changes every Monday. Ask Zorbnik at reception. PTEN and mTOR are not on the guest network.\n",
		"hr/plan.md":  "# Reorganisation\n\nThe layoffs are planned for March.\n",
	}, e)
	ctx := context.Background()
	for typed, want := range map[string]string{
		"how many vacaton days do I get": "how many vacation days do I get",
		"Lapotp stolen, what now?":       "Laptop stolen, what now?",
		"reimbursment of a new laptop":   "", // its stem is reimbursement's: full text finds it as typed
		"guest pasword":                  "guest password",
		"can my dog come to the office":  "", // "dog" is short, and a word
		"are llamas allowed":             "", // a word the documents lack
		"where is Zorbnik":               "", // in the documents as typed
		"when are the layofs":            "", // "layoffs" is only in hr/, which the reader may not see
		"PTENP1 and mTORC2":              "", // codes and names, whatever is one edit away
		"a pasted paragraph of twenty-five words or more, such as this one, is not corrected, whatever it holds: vacaton days, lapotp, and so on.": "",
		"kubernetes cluster": "",                   // nothing one edit away in the documents
		"Datei löschen":      "",                   // German: "löschen" is a stranger, so "Datei" is no slip for "date"
		"Zorbnik's pasword":  "Zorbnik's password", // a name the documents hold is no stranger
	} {
		got, changed, err := b.searcher.Correct(ctx, typed, nil)
		if err != nil {
			t.Fatal(err)
		}
		if want == "" && (changed || got != typed) || want != "" && (!changed || got != want) {
			t.Errorf("Correct(%q) = %q, %v; want %q", typed, got, changed, want)
		}
	}
	if got, changed, _ := b.searcher.Correct(ctx, "when are the layofs", []string{"hr"}); !changed || got != "when are the layoffs" && got != "when are the layoff" {
		t.Errorf("for hr: %q, %v; want the word hr's documents hold", got, changed)
	}
	plain := setup(t, map[string]string{"holidays.md": "# Holidays\n\n27 days of paid vacation.\n"})
	if got, changed, _ := plain.searcher.Correct(ctx, "vacaton days", nil); changed || got != "vacaton days" {
		t.Errorf("without a lexicon: %q, %v", got, changed)
	}
}

// A run of letters longer than any word is no misspelling to correct: its edits, thousands of
// strings as long as it, took hundreds of megabytes for one query of a few kilobytes.
// Not parallel: the allocation counted is the whole program's.
func TestCorrectLongRun(t *testing.T) {
	e, err := embedder.NewLocalV3(wordvec.DefaultPath)
	if err != nil {
		t.Fatal(err)
	}
	b := setupWith(t, map[string]string{"holidays.md": "# Holidays\n\n27 days of paid vacation.\n"}, e)
	typed := "vacaton " + strings.Repeat("a", 2000)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	got, _, err := b.searcher.Correct(context.Background(), typed, nil)
	runtime.ReadMemStats(&after)
	if err != nil || !strings.HasPrefix(got, "vacation ") {
		t.Errorf("Correct = %.20q, %v; want the misspelling beside the run corrected", got, err)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 20<<20 {
		t.Errorf("Correct allocated %d MB", n>>20)
	}
}

// One query's lookups are bounded: its first maxSuspects misspelt words are corrected, each
// wherever it is written, and later ones stay as typed.
func TestCorrectManyWords(t *testing.T) {
	t.Parallel()
	e, err := embedder.NewLocalV3(wordvec.DefaultPath)
	if err != nil {
		t.Fatal(err)
	}
	b := setupWith(t, map[string]string{"office.md": "# Office\n\nVacation, laptop, password, security, approval, reception, network, printer, kitchen, parking, invoice.\n"}, e)
	typed := "vacaton lapotp pasword securty aproval recepton netwrok printr kitchn parkng invoce, vacaton"
	want := "vacation laptop password security approval reception network printer kitchen parking invoce, vacation"
	if got, changed, err := b.searcher.Correct(context.Background(), typed, nil); err != nil || !changed || got != want {
		t.Errorf("Correct = %q, %v, %v; want %q", got, changed, err, want)
	}
}

// A word of a passage written since the term statistics were last refreshed (during an index
// run, which refreshes them at its end) is held by a passage the reader may see: it is searched
// for as typed, not corrected to a word the statistics know.
func TestCorrectBeforeStatsRefresh(t *testing.T) {
	t.Parallel()
	e, err := embedder.NewLocalV3(wordvec.DefaultPath)
	if err != nil {
		t.Fatal(err)
	}
	b := setupWith(t, map[string]string{
		"chat.md":  "# Chat\n\nOur chat is called Slackr.\n",
		"slack.md": "# Slack\n\nNo slacker gets a bonus.\n",
	}, e)
	ctx := context.Background()
	if got, changed, err := b.searcher.Correct(ctx, "where is slackr", nil); err != nil || changed {
		t.Fatalf("after the refresh: %q, %v, %v", got, changed, err)
	}
	if _, err := b.pool.Exec(ctx, `DELETE FROM term_stats WHERE lexeme LIKE '%slackr'`); err != nil {
		t.Fatal(err)
	}
	if got, changed, err := b.searcher.Correct(ctx, "where is slackr", nil); err != nil || changed {
		t.Errorf("before the refresh: %q, %v, %v; want it as typed", got, changed, err)
	}
}
