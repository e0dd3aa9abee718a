package web

import (
	"cmp"
	"errors"
	"io/fs"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/docent-search/docent/internal/access"
	"github.com/docent-search/docent/internal/ingest"
	"github.com/docent-search/docent/internal/source"
)

// visibleDocument loads the document of the request's path that the reader may see. A
// document outside the reader's groups is reported exactly like a missing one.
func (s *Server) visibleDocument(r *http.Request) (docRow, error) {
	var doc docRow
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err == nil {
		doc.ID = id
		err = s.Pool.QueryRow(r.Context(), `SELECT d.title, s.name, d.path, d.body,
				EXISTS (SELECT 1 FROM chunks c WHERE c.document_id = d.id AND c.ocr)
			FROM documents d JOIN sources s ON s.id = d.source_id
			WHERE d.id = $1 AND d.status = 'indexed' AND `+access.Visible("d", "$2"),
			id, nonNil(groups(r))).Scan(&doc.Title, &doc.Source, &doc.Path, &doc.Body, &doc.OCR)
	}
	if errors.Is(err, pgx.ErrNoRows) || errors.Is(err, strconv.ErrSyntax) || errors.Is(err, strconv.ErrRange) {
		return doc, notFound("No such document.")
	}
	return doc, err
}

type docRow struct {
	ID                  int64
	Title, Source, Path string
	Body                string
	OCR                 bool // some text was recognised from a scan
}

// document shows a document's text, with the passage of ?chunk= highlighted.
func (s *Server) document(w http.ResponseWriter, r *http.Request) {
	doc, err := s.visibleDocument(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	m := docModel{page: s.pageFor(r, doc.Title, ""), ID: doc.ID, DocTitle: doc.Title, Source: doc.Source, Path: doc.Path, OCR: doc.OCR}
	start, end := 0, 0
	if chunk, err := strconv.ParseInt(r.URL.Query().Get("chunk"), 10, 64); err == nil {
		var s0, e0, pg int
		err := s.Pool.QueryRow(r.Context(), `SELECT start_offset, end_offset, page FROM chunks WHERE id = $1 AND document_id = $2`, chunk, doc.ID).Scan(&s0, &e0, &pg)
		if err == nil && s0 >= 0 && s0 <= e0 && e0 <= len(doc.Body) {
			start, end, m.Page = s0, e0, pg
		}
	}
	headings, err := headingLines(r.Context(), s.Pool, doc.ID, doc.Body)
	if err != nil {
		s.error(w, r, err)
		return
	}
	m.Blocks = docBlocks(doc.Body, headings, start, end)
	if m.Message, m.MessageTitle, err = s.message(r, doc); err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, docPage(m))
}

// message returns the id and title of the message an attachment's document came from (the
// nearest indexed document whose path leads to its own, see ingest.AttachmentPath), when the
// reader may see it; 0 for a document of a file of its own.
func (s *Server) message(r *http.Request, doc docRow) (int64, string, error) {
	prefixes := source.Enclosing(doc.Path)
	if len(prefixes) == 0 {
		return 0, "", nil
	}
	var id int64
	var title, path string
	err := s.Pool.QueryRow(r.Context(), `SELECT d.id, d.title, d.path FROM documents d JOIN sources s ON s.id = d.source_id
		WHERE s.name = $1 AND d.path = ANY($2) AND d.status = 'indexed' AND `+access.Visible("d", "$3")+`
		ORDER BY length(d.path) DESC LIMIT 1`, doc.Source, prefixes, nonNil(groups(r))).Scan(&id, &title, &path)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, "", nil
	}
	return id, cmp.Or(title, downloadName(path)), err
}

// documentFile serves the original file, access-checked, as a download so that no HTML or
// script in it runs in Docent's origin.
func (s *Server) documentFile(w http.ResponseWriter, r *http.Request) {
	doc, err := s.visibleDocument(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	// Only the file that was indexed is served: its groups are the ones just checked.
	f, err := source.OpenOriginal(r.Context(), s.Pool, doc.ID)
	if errors.Is(err, source.ErrInside) {
		s.attachmentFile(w, r, doc)
		return
	}
	switch {
	case errors.Is(err, source.ErrChanged):
		s.Log.Warn("original file changed since indexing", "source", doc.Source, "path", doc.Path, "err", err)
		s.error(w, r, problem{http.StatusConflict, "The file on disk is no longer the one that was indexed: re-index needed."})
		return
	case err != nil:
		s.Log.Warn("original file unavailable", "source", doc.Source, "path", doc.Path, "err", err)
		s.error(w, r, notFound("The original file is no longer available; the indexed text is shown on the document page."))
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": downloadName(doc.Path)}))
	// A file rewritten while being sent fails its hash at the end: the response is cut short of
	// its Content-Length, which the client sees as an aborted download.
	http.ServeContent(w, r, "", f.ModTime, f)
}

// attachmentFile serves an e-mail attachment's own bytes, taken out of its message on disk at
// request time and checked against what was indexed (source.OpenInside), as a download like any
// original.
//
// Taking an attachment out reads and decodes its whole message (up to the size limit of an
// indexed file), so it runs under admission control like a search: a reader fetching a large
// message's attachment again and again gets 503 past capacity instead of holding that much
// memory many times over. The slot is given back before the bytes are sent to a slow client.
func (s *Server) attachmentFile(w http.ResponseWriter, r *http.Request, doc docRow) {
	release, err := s.admission.acquire(r.Context())
	if err != nil {
		s.error(w, r, err)
		return
	}
	in, err := source.OpenInside(r.Context(), s.Pool, doc.ID, ingest.MailAttachment)
	release()
	switch {
	case errors.Is(err, source.ErrChanged):
		s.Log.Warn("attachment's message changed since indexing", "source", doc.Source, "path", doc.Path, "err", err)
		s.error(w, r, problem{http.StatusConflict, "The message on disk that carried this attachment is no longer the one that was indexed: re-index needed."})
		return
	case err != nil && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, fs.ErrPermission) && !errors.Is(err, source.ErrNotFound):
		s.error(w, r, err)
		return
	case err != nil:
		s.Log.Warn("attachment's message unavailable", "source", doc.Source, "path", doc.Path, "err", err)
		s.error(w, r, notFound("The message that carried this attachment is no longer available; the indexed text is shown on the document page."))
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": downloadName(doc.Path)}))
	http.ServeContent(w, r, "", in.ModTime, in)
}

// downloadName is the name a download is saved under: the file's own name as it is on disk
// (a stored path is escaped, see source.EscapePath), except that a name which is not valid
// UTF-8 keeps its escaped form, and control characters become "_". mime.FormatMediaType
// quotes it, writing a non-ASCII name as RFC 2231's filename*. An attachment's name, which its
// sender chose, is its last path segment, so it has no '/'; a backslash becomes "_" too, and a name
// of dots alone "attachment".
func downloadName(path string) string {
	name := path[strings.LastIndexByte(path, '/')+1:]
	if raw, err := source.UnescapePath(name); err == nil && utf8.ValidString(raw) {
		name = raw
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '/' || r == '\\' {
			return '_'
		}
		return r
	}, name)
	if strings.Trim(name, ". ") == "" {
		name = "attachment"
	}
	return name
}
