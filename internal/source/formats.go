package source

import (
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"
)

// formats maps lower-case file extensions to the stored document type.
var formats = map[string]string{
	".md": "markdown", ".markdown": "markdown",
	".html": "html", ".htm": "html",
	".pdf":  "pdf",
	".docx": "docx", ".pptx": "pptx", ".xlsx": "xlsx",
	".doc": "doc", ".xls": "xls", ".ppt": "ppt",
	".odt": "odt", ".ods": "ods", ".odp": "odp",
	".rtf": "rtf", ".eml": "eml", ".msg": "eml", // an Outlook message is e-mail too (one type filter)
	".png": "image", ".jpg": "image", ".jpeg": "image", ".tif": "image", ".tiff": "image",
	".csv": "csv", ".tsv": "csv",
	".txt": "text", ".text": "text", ".rst": "text", ".adoc": "text", ".log": "text",
	".json": "text", ".yaml": "text", ".yml": "text",
}

// Types lists the document types the parsers produce, sorted: the search page's type filter.
// The table lives here, beside the registry, so the web server can offer it without linking
// the parsers.
func Types() []string { return slices.Compact(slices.Sorted(maps.Values(formats))) }

// unsupported says what to do with file types an intranet's folders often hold that Docent
// does not read, so that the skip reason tells an admin how to get them indexed.
var unsupported = map[string]string{
	".pages":   "Apple Pages document: export it as .docx or PDF",
	".numbers": "Apple Numbers spreadsheet: export it as .xlsx", ".key": "Apple Keynote presentation: export it as .pptx or PDF",
	".vsd": "Visio drawing: export it as PDF", ".vsdx": "Visio drawing: export it as PDF", ".one": "OneNote section: export it as PDF or .docx",
	".zip": "archive: archives are not opened; unpack it into the folder", ".7z": "archive: archives are not opened; unpack it into the folder",
	".rar": "archive: archives are not opened; unpack it into the folder", ".gz": "archive: archives are not opened; unpack it into the folder",
	".tar": "archive: archives are not opened; unpack it into the folder",
}

// SkipReason is the reason a file of a type no parser handles is skipped: the type, and for
// the common ones what to do instead (`unsupported file type ".vsd" (Visio drawing:
// export it as PDF)`).
func SkipReason(name string) string {
	ext := strings.ToLower(path.Ext(name))
	if ext == "" {
		return "unsupported file type (no extension)"
	}
	if advice := unsupported[ext]; advice != "" {
		return fmt.Sprintf("unsupported file type %q (%s)", ext, advice)
	}
	return fmt.Sprintf("unsupported file type %q", ext)
}

// Supported reports the document type for a file name, or "" when no parser handles it.
func Supported(name string) string {
	return formats[strings.ToLower(path.Ext(name))]
}
