package answer

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/docent-search/docent/internal/retrieve"
)

// FuzzCitations checks the citation parser on arbitrary model output: markers that survive point
// at a provided source, and the support check never panics.
func FuzzCitations(f *testing.F) {
	f.Add("Claim [1]. Other [2][3]. Bad [0] [999] [x] [", 2)
	f.Add("[1", 1)
	f.Add("use row[0] and m[2][7] [9][0] x[0[0]]", 1)
	f.Fuzz(func(t *testing.T, text string, n int) {
		n = max(0, min(n, 5))
		out, cited := resolveCitations(text, n)
		for _, c := range cited {
			if c < 1 || c > n {
				t.Fatalf("citation %d kept with %d sources", c, n)
			}
		}
		for _, m := range marker.FindAllStringSubmatchIndex(out, -1) {
			if k, _ := strconv.Atoi(out[m[2]:m[3]]); (k < 1 || k > n) && !subscript(out[:m[0]]) {
				t.Fatalf("marker %s survived with %d sources: %q", out[m[0]:m[1]], n, out)
			}
		}
		sources := make([]retrieve.Result, n)
		unsupported(out, sources)
	})
}

// codeMarks matches the lines the answerer writes around and inside quoted code.
var codeMarks = regexp.MustCompile("(?m)^(```+|…)$")

// FuzzExtractive checks the extractive answerer on arbitrary passages: it never panics, cites
// only the sources it was given, and quotes nothing that is not in them (their text, or the
// heading a quote is read under).
func FuzzExtractive(f *testing.F) {
	f.Add("how do I tag", "-a\n--annotate\nMake a tag object\n-s\n--sign\nMake a signed tag.", "Tags are refs. They point at objects:\n$ git tag v1")
	f.Add("rename a branch", "- Open it.\n- Rename the branch.\nRename | Branch\nx | y", "With -m the branch is renamed. This keeps its reflog. Renamed branches keep\ntheir config")
	f.Add("read a csv file", "For example:\n\nimport csv\n\nwith open(f) as fh:\n    for row in csv.reader(fh):\n```\n        print(row)\n", "$ git tag v1   # a tag\n$ git push\nThen read the csv file.")
	f.Fuzz(func(t *testing.T, question, a, b string) {
		const heading = "Guide › Tag objects"
		sources := []retrieve.Result{{DocumentID: 1, Path: "a", Heading: heading, Text: a}, {DocumentID: 1, Path: "a", Text: b}, {DocumentID: 2, Path: "b", Heading: heading, Text: b}}
		got, err := Extractive{}.Answer(context.Background(), question, sources, nil)
		if err != nil {
			t.Fatal(err)
		}
		out, cited := resolveCitations(got, len(sources))
		if out != got {
			t.Fatalf("the answer cites a source it was not given: %q", got)
		}
		if len(cited) == 0 && strings.TrimSpace(got) != "" {
			t.Fatalf("the answer cites nothing: %q", got)
		}
		all := strings.Fields(Neutralize(a + " " + b + " " + heading))
		// Besides, code is fenced ("```", longer when the code holds one) and "…" stands for
		// the lines of a long block left out.
		for _, w := range strings.Fields(marker.ReplaceAllString(codeMarks.ReplaceAllString(got, ""), "")) {
			if !slices.ContainsFunc(all, func(s string) bool { return strings.Contains(s, w) }) {
				t.Fatalf("the answer holds %q, in no source:\n%q", w, got)
			}
		}
	})
}
