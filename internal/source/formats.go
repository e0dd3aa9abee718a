package source

import (
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
	".doc": "doc",
	".odt": "odt", ".ods": "ods", ".odp": "odp",
	".rtf": "rtf", ".eml": "eml",
	".png": "image", ".jpg": "image", ".jpeg": "image", ".tif": "image", ".tiff": "image",
	".csv": "csv",
	".txt": "text", ".text": "text", ".rst": "text", ".adoc": "text", ".log": "text",
	".json": "text", ".yaml": "text", ".yml": "text",
}

// Types lists the document types the parsers produce, sorted: the search page's type filter.
// The table lives here, beside the registry, so the web server can offer it without linking
// the parsers.
func Types() []string { return slices.Compact(slices.Sorted(maps.Values(formats))) }

// Supported reports the document type for a file name, or "" when no parser handles it.
func Supported(name string) string {
	return formats[strings.ToLower(path.Ext(name))]
}
