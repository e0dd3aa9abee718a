package retrieve

import "testing"

// TestCandidatesStayWithinBudget checks which chunks the lexical branch scores as the query's
// words get commoner: every match of the rare words, then chunks with several query words,
// then all of them, and a single common word alone.
func TestCandidatesStayWithinBudget(t *testing.T) {
	const n = 1000000
	tm := func(lexeme string, df int64) term { return term{lexeme: lexeme, df: df} }
	for _, c := range []struct {
		name  string
		terms []term
		want  string
	}{
		{"rare words join by OR while they fit", []term{tm("quokka", 10), tm("band", 900), tm("salary", 5000)}, "'quokka' | 'band'"},
		{"two common words: chunks with both", []term{tm("travel", 20000), tm("policy", 30000)}, "('travel' & 'policy')"},
		{"common words: chunks with at least two", []term{tm("a", 20000), tm("b", 20000), tm("c", 20000)}, "('a' & 'b') | ('a' & 'c') | ('b' & 'c')"},
		{"very common words: chunks with all", []term{tm("a", 200000), tm("b", 300000), tm("c", 400000)}, "'a' & 'b' & 'c'"},
		{"one common word alone", []term{tm("the", 900000)}, "'the'"},
		{"no words", nil, ""},
	} {
		if got := candidates(c.terms, n); got != c.want {
			t.Errorf("%s: got %s, want %s", c.name, got, c.want)
		}
	}
}
