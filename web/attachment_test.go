package web_test

import (
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/docent-search/docent/internal/docenttest"
	"github.com/docent-search/docent/internal/postgres/pgtest"
	"github.com/docent-search/docent/internal/sampledocs"
	"github.com/docent-search/docent/internal/source"
	"github.com/docent-search/docent/web"
)

// hostileMail is a message whose attachment's name, RFC 2047-encoded, holds path separators,
// a bell and a line break.
func hostileMail(content string) string {
	return "From: ada@example.org\r\nTo: hr@example.org\r\nSubject: Hostile\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n" +
		"--XX\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=\"=?utf-8?q?..=2F..=5Cevil=07name=0D=0A.txt?=\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n" + base64.StdEncoding.EncodeToString([]byte(content)) + "\r\n--XX--\r\n"
}

// TestAttachmentOriginal: "Open the original" of an e-mail attachment serves the attachment's
// own bytes, re-read from its message at request time, as a download under a safe name, to
// readers of the message's groups only; its page says which message it came from. A message
// gone or changed since indexing is a clear 404 or 409, never a 500 nor other bytes.
func TestAttachmentOriginal(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	notes := "Delivery of the standing desks in April, ATTACHED-NOTES-0123.\n"
	inner := string(sampledocs.EML("bo@example.org", "ada@example.org", "Quote", "Mon, 2 Mar 2026 09:00:00 +0100",
		"The quote.", "", sampledocs.File{Name: "quote.txt", Data: []byte("Forty desks at 640 each, NESTED-QUOTE-77.\n")}))
	offer := string(sampledocs.EML("ada@example.org", "hr@example.org", "Offer", "Tue, 3 Mar 2026 10:15:00 +0100",
		"The offer is attached.", "", sampledocs.File{Name: "notes.txt", Data: []byte(notes)}, sampledocs.File{Name: "fwd.eml", Data: []byte(inner)}))
	// An Outlook message: an attachment, and a message attached as a message (handed on as
	// an .eml written from it) with its own.
	outlook := string(sampledocs.MSG(sampledocs.Outlook{SenderAddress: "ada@example.org", Subject: "Minutes", Body: "The minutes are attached.",
		Attachments: []sampledocs.File{{Name: "minutes.txt", Data: []byte("OUTLOOK-MINUTES-31\n")}},
		Embedded:    []sampledocs.Outlook{{Subject: "Thread", Body: "Earlier.", Attachments: []sampledocs.File{{Name: "agenda.txt", Data: []byte("EMBEDDED-AGENDA-42\n")}}}}}))
	root := docenttest.Folder(t, map[string]string{
		"hr/offer.eml":   offer,
		"hr/hostile.eml": hostileMail("HOSTILE-NAME-CONTENT-55\n"),
		"hr/minutes.msg": outlook,
	})
	docenttest.Index(t, pool, "mail", root, source.Rule{Glob: "hr/**", Groups: []string{"hr"}})
	srv := &web.Server{Pool: pool, Identity: proxied(), Log: slog.New(slog.DiscardHandler)}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	hr, sales := as("bo", "hr"), as("ann", "sales")

	idOf := func(like string) string {
		t.Helper()
		var id int64
		if err := pool.QueryRow(ctx, `SELECT id FROM documents WHERE path LIKE $1 AND status = 'indexed'`, like).Scan(&id); err != nil {
			t.Fatalf("document %s: %v", like, err)
		}
		return itoa(id)
	}
	download := func(id string, headers map[string]string) (int, string, http.Header) {
		t.Helper()
		req, _ := http.NewRequest("GET", ts.URL+"/doc/"+id+"/file", nil)
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, string(b), resp.Header
	}
	notesID, quoteID, hostileID, offerID := idOf("hr/offer.eml/notes.txt"), idOf("hr/offer.eml/fwd.eml/quote.txt"), idOf("hr/hostile.eml/%"), idOf("hr/offer.eml")

	status, body, h := download(notesID, hr)
	if status != 200 || body != notes {
		t.Fatalf("the attachment's original: %d %q, want its bytes", status, body)
	}
	if h.Get("Content-Type") != "application/octet-stream" || h.Get("Content-Disposition") != `attachment; filename=notes.txt` || h.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("served as %q, %q, nosniff %q", h.Get("Content-Type"), h.Get("Content-Disposition"), h.Get("X-Content-Type-Options"))
	}
	if status, body, _ := download(quoteID, hr); status != 200 || body != "Forty desks at 640 each, NESTED-QUOTE-77.\n" {
		t.Errorf("an attachment of a forwarded message: %d %q", status, body)
	}
	for path, want := range map[string]string{"hr/minutes.msg/minutes.txt": "OUTLOOK-MINUTES-31\n", "hr/minutes.msg/Thread.eml/agenda.txt": "EMBEDDED-AGENDA-42\n"} {
		if status, body, _ := download(idOf(path), hr); status != 200 || body != want {
			t.Errorf("%s, from an Outlook message: %d %q", path, status, body)
		}
	}
	// The sender's name for it cannot name a folder or break the header.
	status, body, h = download(hostileID, hr)
	_, params, err := mime.ParseMediaType(h.Get("Content-Disposition"))
	name := params["filename"]
	if status != 200 || body != "HOSTILE-NAME-CONTENT-55\n" || err != nil || name == "" || strings.ContainsAny(name, "/\\\x07\r\n") || !strings.HasSuffix(name, ".txt") {
		t.Errorf("an attachment with a hostile name: %d %q, Content-Disposition %q (%v)", status, body, h.Get("Content-Disposition"), err)
	}
	// Outside the message's groups: 404, as for a document that does not exist.
	for _, id := range []string{notesID, quoteID, "999999"} {
		if status, body, _ := download(id, sales); status != http.StatusNotFound || strings.Contains(body, "ATTACHED") || strings.Contains(body, "NESTED") || strings.Contains(body, "attachment") {
			t.Errorf("attachment %s for a reader outside hr: %d %q", id, status, body)
		}
	}

	// Its page links to the message it came from.
	_, page := do(t, "GET", ts.URL+"/doc/"+notesID, "", hr)
	doc, _ := goquery.NewDocumentFromReader(strings.NewReader(page))
	if href, _ := doc.Find(`[data-testid=attachment-of]`).Attr("href"); href != "/doc/"+offerID || doc.Find(`[data-testid=attachment-of]`).Text() != "Offer" {
		t.Errorf("attachment page: link to its message %q %q, want /doc/%s Offer", href, doc.Find(`[data-testid=attachment-of]`).Text(), offerID)
	}
	_, page = do(t, "GET", ts.URL+"/doc/"+quoteID, "", hr)
	doc, _ = goquery.NewDocumentFromReader(strings.NewReader(page))
	if href, _ := doc.Find(`[data-testid=attachment-of]`).Attr("href"); href != "/doc/"+idOf("hr/offer.eml/fwd.eml") {
		t.Errorf("a forwarded message's attachment links to %q, want its own message", href)
	}
	_, page = do(t, "GET", ts.URL+"/doc/"+offerID, "", hr)
	if strings.Contains(page, `data-testid="attachment-of"`) {
		t.Error("a message on disk is shown as an attachment")
	}

	// A message the reader may not see (its groups changed, not yet its attachments'): the
	// attachment's page names no message, not even its subject, and its original is still its
	// own bytes alone.
	if _, err := pool.Exec(ctx, `UPDATE documents SET groups = '{legal}' WHERE id = $1`, offerID); err != nil {
		t.Fatal(err)
	}
	_, page = do(t, "GET", ts.URL+"/doc/"+notesID, "", hr)
	if strings.Contains(page, `data-testid="attachment-of"`) || strings.Contains(page, "/doc/"+offerID+`"`) {
		t.Errorf("an attachment's page names a message its reader may not see:\n%s", page)
	}
	if status, body, _ := download(notesID, hr); status != 200 || body != notes {
		t.Errorf("the attachment's original, its message hidden: %d %q, want its own bytes", status, body)
	}
	if _, err := pool.Exec(ctx, `UPDATE documents SET groups = '{hr}' WHERE id = $1`, offerID); err != nil {
		t.Fatal(err)
	}

	// The message rewritten since indexing: not served, and said why.
	path := filepath.Join(root, "hr/offer.eml")
	if err := os.WriteFile(path, []byte(strings.Replace(offer, "The offer is attached.", "The offer is attachеd!", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if status, body, _ := download(notesID, hr); status != http.StatusConflict || strings.Contains(body, "ATTACHED-NOTES") || !strings.Contains(body, "re-index") {
		t.Errorf("the message changed: %d %q, want 409 saying re-index", status, body)
	}
	// Gone: 404 saying so.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if status, body, _ := download(notesID, hr); status != http.StatusNotFound || !strings.Contains(body, "no longer available") {
		t.Errorf("the message deleted: %d %q, want 404 saying it is no longer available", status, body)
	}
}
