package ingest

import (
	"strings"
	"testing"
)

// The separator is the one the rows hold as many times each, outside quotes: a comma CSV whose
// quoted values hold semicolons stays a comma CSV, and a file with none is read as comma CSV.
// A quoted value's line breaks are within its row (an address over two lines), and a '"' inside
// a value (24" for inches) quotes nothing, as csv.Reader reads them.
func TestCSVDelimiter(t *testing.T) {
	for in, want := range map[string]byte{
		"a,b,c\n1,2,3\n": ',',
		"Name;Preis\nKaffee;2,50\nTee;1,80\nWasser;1\n": ';',
		"a\tb\n1\t2\n":   '\t',
		"id|name\n1|x\n": '|',
		"note,who\n\"a; b; c\",Ada\n\"d; e\",Grace\n": ',',
		"just one column\nof text\n":                  ',',
		"Name;Adresse;Ort\nAda;\"Hauptstr. 1\nHinterhaus, 2. OG\";Berlin\nBob;\"Weg 2\nHaus 3, links\";Köln\n": ';',
		"Artikel;Größe;Preis\nMonitor;24\";199,00\nTV;55\";499,00\nKabel;2m;9,99\n":                            ';',
		"": ',',
	} {
		if got := csvDelimiter([]byte(in)); got != want {
			t.Errorf("csvDelimiter(%q) = %q, want %q", in, got, want)
		}
	}
}

// A .tsv file is split at its tabs even where more of its rows hold one comma each than hold
// as many tabs, which a guess would take for a comma CSV.
func TestTSVIsSplitAtTabs(t *testing.T) {
	x := &Extractor{}
	defer x.Close()
	doc, err := x.Parse("notes.tsv", []byte("Note\tWho\tRoom\na, b\tAda\nc, d\tGrace\tB2\ne, f\tLin\n"))
	if err != nil {
		t.Fatal(err)
	}
	if text := doc.Sections[0].Text; !strings.Contains(text, "Note: a, b; Who: Ada") {
		t.Errorf("text %q, want its rows read at the tabs", text)
	}
}
