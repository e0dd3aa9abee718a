// Command samplegen writes the sample corpus's binary formats — a PDF, a Word document, a
// presentation and a spreadsheet of the fictional Halcyon Systems — into a folder, so `make
// run` shows every format Docent reads without committing opaque files.
//
//	go run ./examples/samplegen DIR
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/docent-search/docent/internal/sampledocs"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: samplegen DIR")
		os.Exit(2)
	}
	if err := write(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "samplegen:", err)
		os.Exit(1)
	}
}

func write(dir string) error {
	p := func(style, text string) string { return sampledocs.WordPara(sampledocs.Para{Style: style, Text: text}) }
	files := map[string][]byte{
		"safety-manual.pdf": sampledocs.PDF("Office safety manual",
			[]string{"Office safety manual", "", "Fire doors must never be propped open.", "Fire drills take place every March and September."},
			[]string{"Electrical safety", "", "Report damaged cables to facilities on extension 1000.", "Personal heaters are not allowed in the office."}),
		"expense-guide.docx": sampledocs.DOCX("Expense guide for managers",
			p("Heading1", "Approving expenses")+
				p("", "Managers approve expense claims in Ledgerly within five working days.")+
				p("", "Claims above 500 EUR are forwarded to finance automatically.")+
				p("Heading2", "Rejecting a claim")+
				p("", "When you reject a claim, write the reason in the comment field so the employee can correct it.")),
		"quarterly-update.pptx": sampledocs.PPTX("Quarterly company update",
			sampledocs.Slide{Title: "Quarterly company update", Lines: []string{"Q3 at Halcyon Systems"}},
			sampledocs.Slide{Title: "Customers", Lines: []string{"Churn fell to 2.1 percent this quarter.", "Three new enterprise customers signed in Dublin."}},
			sampledocs.Slide{Title: "Hiring", Lines: []string{"We are hiring twelve engineers for the platform group."}}),
		"office-directory.xlsx": sampledocs.XLSX("Office directory", "Offices", [][]string{
			{"Office", "Address", "Reception phone", "Opening hours"},
			{"Berlin", "Torstrasse 12", "+49 30 555 0100", "7:00-21:00"},
			{"Dublin", "Grand Canal Quay 4", "+353 1 555 0200", "8:00-20:00"},
		}),
		"meeting-rooms.csv": []byte("Room,Floor,Seats,Video\nAtlas,2,8,yes\nBoreal,3,4,no\nCumulus,3,12,yes\n"),
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
