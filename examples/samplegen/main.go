// Command samplegen writes the sample corpus's binary formats — a PDF, a Word document, a
// presentation, a spreadsheet, OpenDocument, RTF, an e-mail with an attachment and a scanned
// notice of the fictional Halcyon Systems — into a folder, so `make run` shows every format
// Docent reads without committing opaque files.
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
		"parking-rules.odt": sampledocs.ODT("Parking rules",
			sampledocs.ODTHeading(1, "Parking at the Berlin office")+
				sampledocs.ODTPara("The underground car park has 40 spaces, 6 of them with chargers for electric cars.")+
				sampledocs.ODTHeading(2, "Bicycles")+
				sampledocs.ODTPara("Bicycles go in the locked room beside reception; ask reception for a key card.")),
		"visitor-policy.rtf": sampledocs.RTF("Visitor policy",
			sampledocs.Para{Style: "Heading1", Text: "Visitors"},
			sampledocs.Para{Text: "Every visitor signs in at reception and wears a visitor badge until they leave."}),
		"welcome-mail.eml": sampledocs.EML("People Team <people@halcyon.example>", "new-starters@halcyon.example",
			"Welcome to Halcyon Systems", "Mon, 2 Mar 2026 09:00:00 +0100",
			"Welcome aboard! Your laptop is waiting at the IT desk on the second floor.\n\nThe first-week schedule is attached.", "",
			sampledocs.File{Name: "first-week.csv", Data: []byte("Day,Session\nMonday,Security training\nTuesday,Meet your buddy\n")}),
		// A scan: no text layer, read only when OCR is on (DOCENT_OCR).
		"scanned-notice.pdf": sampledocs.ScanPDF("Scanned notice",
			sampledocs.TextImage("NOTICE: the kitchen is closed for", "cleaning every Friday afternoon.")),
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
