package textseg

import (
	"slices"
	"testing"
)

func TestSplit(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       []string
	}{
		{"plain", "Taxis are paid. Buses are not! Why? Budget.", []string{"Taxis are paid.", "Buses are not!", "Why?", "Budget."}},
		{"abbreviations", "Use a form, e.g. Form 7. Then sign it, i.e. in ink. See Fig. 3 and No. 5 below.",
			[]string{"Use a form, e.g. Form 7.", "Then sign it, i.e. in ink.", "See Fig. 3 and No. 5 below."}},
		{"etc ends before a capital", "Pens, paper etc. Nothing else.", []string{"Pens, paper etc.", "Nothing else."}},
		{"etc within", "Pens, paper etc. are provided.", []string{"Pens, paper etc. are provided."}},
		{"titles", "Ask Dr. Smith or Prof. Jones. They know.", []string{"Ask Dr. Smith or Prof. Jones.", "They know."}},
		{"initials", "Written by J. R. Tolkien. Published later.", []string{"Written by J. R. Tolkien.", "Published later."}},
		{"no as a word", "The answer is no. Ask again.", []string{"The answer is no.", "Ask again."}},
		{"vs", "Cats vs. Dogs is a debate.", []string{"Cats vs. Dogs is a debate."}},
		{"decimals and versions", "Pi is 3.14 today. Upgrade to v1.2.3 now. Version 2.0. Done.",
			[]string{"Pi is 3.14 today.", "Upgrade to v1.2.3 now.", "Version 2.0.", "Done."}},
		{"urls", "See https://example.com/a.b?x=1. Then https://docs.example.org/v2/index.html explains it.",
			[]string{"See https://example.com/a.b?x=1.", "Then https://docs.example.org/v2/index.html explains it."}},
		{"code", "Call os.Exit(1) to stop. Use `a.b()` and fmt.Println.", []string{"Call os.Exit(1) to stop.", "Use `a.b()` and fmt.Println."}},
		{"lower case after a dot", "It costs approx. five euros and ends at 5 p.m. sharp.", []string{"It costs approx. five euros and ends at 5 p.m. sharp."}},
		{"acronym with dots", "Staff in the U.S. Office are paid monthly.", []string{"Staff in the U.S. Office are paid monthly."}},
		{"quotes", `He said "Stop." Then left. (It rained.) Fine.`, []string{`He said "Stop."`, "Then left.", "(It rained.)", "Fine."}},
		{"ellipsis", "Wait... Then go. Or wait… Then go.", []string{"Wait...", "Then go.", "Or wait…", "Then go."}},
		{"line breaks end sentences", "Heading\nFirst line\nSecond one. Third.", []string{"Heading", "First line", "Second one.", "Third."}},
		{"list items", "Steps:\n1. Open the form.\n2. Sign it. Then send it.\n- Keep a copy.\na. Also this.",
			[]string{"Steps:", "1. Open the form.", "2. Sign it.", "Then send it.", "- Keep a copy.", "a. Also this."}},
		{"indented list items", "Steps:\n  1. Open the form.\n  2. Sign it. Then send it.\n\t3. Keep a copy.",
			[]string{"Steps:", "1. Open the form.", "2. Sign it.", "Then send it.", "3. Keep a copy."}},
		{"roman list", "iv. Fourth item here.", []string{"iv. Fourth item here."}},
		{"number at sentence end", "We hired in 2019. The team grew.", []string{"We hired in 2019.", "The team grew."}},
		{"page numbers", "See p. 12 of the guide. It helps.", []string{"See p. 12 of the guide.", "It helps."}},
		{"cjk", "这是第一句。这是第二句。", []string{"这是第一句。", "这是第二句。"}},
		{"spaces", "  One.   Two.  \n\n  Three  ", []string{"One.", "Two.", "Three"}},
		{"empty", " \n ", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Split(tc.text); !slices.Equal(got, tc.want) {
				t.Errorf("Split(%q)\n got %q\nwant %q", tc.text, got, tc.want)
			}
		})
	}
}

// TestSpansSliceText checks the offsets: every span is its text, trimmed, in order.
func TestSpansSliceText(t *testing.T) {
	text := " A first one. And a second.\n- item\n"
	prev := 0
	for _, s := range Sentences(text) {
		if s.Start < prev || s.End <= s.Start || text[s.Start] == ' ' || text[s.End-1] == ' ' {
			t.Fatalf("bad span %+v in %q", s, text)
		}
		prev = s.End
	}
}

// Hard-wrapped prose (an e-mail quoted in a <pre>) is joined where a line break falls inside a
// sentence; code, commands, terms, list items, table rows and finished sentences keep their
// lines, and the text keeps its length.
func TestUnwrap(t *testing.T) {
	for _, tc := range []struct{ name, text, want string }{
		{"wrapped e-mail",
			"Reverting a regular commit just effectively undoes what that commit\ndid, and is fairly straightforward. But reverting a merge commit also\nundoes the _data_ that the commit changed.",
			"Reverting a regular commit just effectively undoes what that commit did, and is fairly straightforward. But reverting a merge commit also undoes the _data_ that the commit changed."},
		{"a quoted word starts the next line",
			"So a revert undoes the data changes, but it's very much _not_ an\n\"undo\" in the sense that it doesn't undo history.",
			"So a revert undoes the data changes, but it's very much _not_ an \"undo\" in the sense that it doesn't undo history."},
		{"finished sentences keep their lines", "Open the form and fill in every field of it.\nThen sign it.", "Open the form and fill in every field of it.\nThen sign it."},
		{"a command follows", "If the merge went wrong and you want to start over again, run\n$ git merge --abort", "If the merge went wrong and you want to start over again, run\n$ git merge --abort"},
		{"code lines", "git log --pretty=format:'%h %an' --since=2.weeks origin/main\nfor f in *.txt; do git add \"$f\"; done", "git log --pretty=format:'%h %an' --since=2.weeks origin/main\nfor f in *.txt; do git add \"$f\"; done"},
		{"a term and its description", "--soft\nDoes not touch the index file or the working tree at all.", "--soft\nDoes not touch the index file or the working tree at all."},
		{"list items", "Things to bring on the first day of your new job\n- your passport\n- your bank details", "Things to bring on the first day of your new job\n- your passport\n- your bank details"},
		{"table rows", "Room name and the floor it is on and its seats\nAurora | 2 | 14", "Room name and the floor it is on and its seats\nAurora | 2 | 14"},
		{"terminal output", "CONFLICT (content): Merge conflict in file.txt\nAutomatic merge failed; fix conflicts and then commit the result.", "CONFLICT (content): Merge conflict in file.txt\nAutomatic merge failed; fix conflicts and then commit the result."},
		{"a short line", "Chapter 11 Indexes\nan index is a structure", "Chapter 11 Indexes\nan index is a structure"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Unwrap(tc.text)
			if got != tc.want {
				t.Errorf("Unwrap(%q)\n got %q\nwant %q", tc.text, got, tc.want)
			}
			if len(got) != len(tc.text) {
				t.Errorf("length %d, want %d", len(got), len(tc.text))
			}
		})
	}
}
