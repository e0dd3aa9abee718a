// Package config is the one place Docent's settings are defined: each has an environment
// variable, a flag that overrides it, a default and a line of help. Both binaries load the same
// Config, so a setting means the same thing everywhere, and an invalid value fails at start-up
// with a message naming the setting.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/docent-search/docent/internal/language"
	"github.com/docent-search/docent/internal/postgres"
)

// Config holds every setting. Zero values are never used: Load fills defaults.
type Config struct {
	DatabaseURL string
	// DatabaseReadURLs are streaming replicas that serve searches.
	DatabaseReadURLs []string
	Addr             string
	LogLevel         string

	TrustedProxies []netip.Prefix
	UserHeader     string
	GroupsHeader   string
	AdminGroup     string
	SourceRoots    []string
	AskRate        float64
	// PublicHost is the host name of DOCENT_PUBLIC_URL: behind a proxy, the only Host header
	// served (see web.Identity).
	PublicHost string
	// PublicURL is DOCENT_PUBLIC_URL without a trailing slash: OIDC's redirect URL is built on it.
	PublicURL string
	// OIDC sign-in (see IdentityMode); OIDCClientSecret comes from the environment only.
	OIDCIssuer       string
	OIDCClientID     string
	OIDCClientSecret string
	OIDCGroupsClaim  string
	OIDCScopes       []string
	SessionLifetime  time.Duration
	// MaxInFlight, MaxQueue and QueueWait are the server's admission control (see web.Server);
	// 0 picks the defaults.
	MaxInFlight int
	MaxQueue    int
	QueueWait   time.Duration
	// QueryLogDays is how long the query log keeps a question (0: no log); QueryLogUsers how
	// it records who asked: pseudonym, name or none.
	QueryLogDays  int
	QueryLogUsers string
	// MetricsAddr is where /metrics is served; empty: nowhere.
	MetricsAddr string

	Workers         int
	RescueJobsAfter time.Duration
	ShutdownTimeout time.Duration

	Embedder         string
	EmbedModel       string
	EmbedURL         string
	EmbedBatch       int
	EmbedConcurrency int
	EmbedTimeout     time.Duration
	APIKey           string
	// WordVectors is the word-vector file of the built-in embedder docent-local-v3.
	WordVectors string

	LLM        string
	LLMModel   string
	LLMURL     string
	LLMTimeout time.Duration
	// LLMContextTokens bounds the source text in a prompt.
	LLMContextTokens int

	// Reranker is the /rerank API of an optional reranking model server ("off", "tei" or
	// "cohere"), with its base URL, model, timeout and how many passages it reranks.
	Reranker         string
	RerankURL        string
	RerankAPIKey     string
	RerankModel      string
	RerankTimeout    time.Duration
	RerankCandidates int

	TextSearchConfig string
	// Languages is DOCENT_LANGUAGES: the languages detected per passage ("" all PostgreSQL
	// can stem, "off" none).
	Languages     string
	VectorWeight  float64
	LexicalWeight float64
	MaxFileSize   int64
	MaxText       int64
	ParseTimeout  time.Duration
	ParseWorkers  int
	// OCR is "on" when scans and images are read with Tesseract, "off" otherwise: "auto" is
	// resolved at load, by whether the tesseract binary is on PATH.
	OCR string
	// OCRLanguages are Tesseract's language models, joined by "+" (eng+deu+fra).
	OCRLanguages string
	// IndexBuildMemory is PostgreSQL's maintenance_work_mem for building the search indexes.
	IndexBuildMemory int64
	// EfSearch is the HNSW candidate list of a vector search.
	EfSearch int
}

// Setting describes one configuration value for flags, errors and the README table.
type Setting struct {
	Env, Flag, Default, Help string
	// Secret values are never printed, not even in errors.
	Secret bool
	set    func(*Config, string) error
}

// Settings lists every setting in the order the README documents them.
func Settings() []Setting {
	return []Setting{
		{Env: "DATABASE_URL", Flag: "database-url", Default: "", Help: "PostgreSQL connection URL. Unset under `make run`/`make test`: a project-local cluster in `.data/` is started and used.", Secret: true,
			set: func(c *Config, v string) error { c.DatabaseURL = v; return nil }},
		{Env: "DATABASE_READ_URLS", Flag: "database-read-urls", Default: "", Help: "Comma-separated URLs of PostgreSQL streaming replicas of DATABASE_URL. Searches (and the retrieval behind answers) go to them in turn; writes, document views and admin pages stay on the primary. A replica that cannot be reached is skipped for the primary. See SCALING.md.", Secret: true,
			set: func(c *Config, v string) error {
				c.DatabaseReadURLs = nil
				for _, u := range strings.Split(v, ",") {
					if u = strings.TrimSpace(u); u != "" {
						c.DatabaseReadURLs = append(c.DatabaseReadURLs, u)
					}
				}
				return nil
			}},
		{Env: "DOCENT_ADDR", Flag: "addr", Default: "127.0.0.1:8080", Help: "Address the web server listens on.",
			set: func(c *Config, v string) error {
				if _, _, err := net.SplitHostPort(v); err != nil {
					return fmt.Errorf("want host:port, e.g. 127.0.0.1:8080")
				}
				c.Addr = v
				return nil
			}},
		{Env: "DOCENT_TRUSTED_PROXIES", Flag: "trusted-proxies", Default: "", Help: "Comma-separated CIDRs of the SSO proxies whose identity headers are trusted (e.g. `10.0.0.5/32`). Empty (and no `DOCENT_OIDC_ISSUER`): local mode, one built-in admin, loopback only.",
			set: func(c *Config, v string) error {
				c.TrustedProxies = nil
				for _, p := range strings.Split(v, ",") {
					if p = strings.TrimSpace(p); p == "" {
						continue
					}
					if !strings.Contains(p, "/") {
						p += map[bool]string{true: "/128", false: "/32"}[strings.Contains(p, ":")]
					}
					prefix, err := netip.ParsePrefix(p)
					if err != nil {
						return fmt.Errorf("want CIDRs such as 10.0.0.5/32: %v", err)
					}
					c.TrustedProxies = append(c.TrustedProxies, prefix.Masked())
				}
				return nil
			}},
		{Env: "DOCENT_PUBLIC_URL", Flag: "public-url", Default: "", Help: "The URL readers open Docent at, e.g. `https://docent.example.com`. Required with `DOCENT_TRUSTED_PROXIES` and with `DOCENT_OIDC_ISSUER` (the sign-in redirect URL is this URL + `/auth/callback`): only requests whose `Host` is this URL's host are served (a defence against DNS rebinding), so the proxy must pass the original `Host` on. In local mode only `localhost`, `127.0.0.1` and `[::1]` are served.",
			set: func(c *Config, v string) error {
				if v == "" {
					c.PublicHost, c.PublicURL = "", ""
					return nil
				}
				u, err := url.Parse(v)
				if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.User != nil {
					return fmt.Errorf("want the URL readers open, such as https://docent.example.com")
				}
				c.PublicHost = strings.ToLower(u.Hostname())
				c.PublicURL = strings.TrimRight(v, "/")
				return nil
			}},
		{Env: "DOCENT_METRICS_ADDR", Flag: "metrics-addr", Default: "127.0.0.1:9464", Help: "Address `/metrics` (Prometheus) is served on, apart from the web UI so that readers never reach it; `off` (or `--metrics-addr=`) serves it nowhere. Keep it on loopback or a monitoring network.",
			set: func(c *Config, v string) error {
				if v == "" || v == "off" {
					c.MetricsAddr = ""
					return nil
				}
				if _, _, err := net.SplitHostPort(v); err != nil {
					return fmt.Errorf("want host:port, e.g. 127.0.0.1:9464, or off")
				}
				c.MetricsAddr = v
				return nil
			}},
		{Env: "DOCENT_USER_HEADER", Flag: "user-header", Default: "X-Forwarded-User", Help: "Header carrying the signed-in user, set by the trusted proxy.",
			set: header(func(c *Config) *string { return &c.UserHeader })},
		{Env: "DOCENT_GROUPS_HEADER", Flag: "groups-header", Default: "X-Forwarded-Groups", Help: "Header carrying the user's groups, comma-separated, set by the trusted proxy.",
			set: header(func(c *Config) *string { return &c.GroupsHeader })},
		{Env: "DOCENT_ADMIN_GROUP", Flag: "admin-group", Default: "docent-admins", Help: "Members of this group may use the admin page and admin API.",
			set: nonEmpty(func(c *Config) *string { return &c.AdminGroup }, "want a group name such as docent-admins")},
		{Env: "DOCENT_OIDC_ISSUER", Flag: "oidc-issuer", Default: "", Help: "Issuer URL of the OpenID Connect provider Docent signs readers in with (e.g. `https://keycloak.example.com/realms/acme`). Set: OIDC mode, which excludes `DOCENT_TRUSTED_PROXIES`. See \"Signing in and access\".",
			set: func(c *Config, v string) error {
				if v != "" && !strings.HasPrefix(v, "https://") && !strings.HasPrefix(v, "http://") {
					return fmt.Errorf("want the provider's issuer URL, such as https://login.example.com/realms/acme")
				}
				c.OIDCIssuer = v
				return nil
			}},
		{Env: "DOCENT_OIDC_CLIENT_ID", Flag: "oidc-client-id", Default: "", Help: "Client ID of Docent's application at the OIDC provider. Required with `DOCENT_OIDC_ISSUER`.",
			set: func(c *Config, v string) error { c.OIDCClientID = strings.TrimSpace(v); return nil }},
		{Env: "DOCENT_OIDC_CLIENT_SECRET", Flag: "", Default: "", Help: "Client secret of Docent's application at the OIDC provider; empty for a public client (PKCE alone). Read from the environment only, never logged.", Secret: true,
			set: func(c *Config, v string) error { c.OIDCClientSecret = v; return nil }},
		{Env: "DOCENT_OIDC_GROUPS_CLAIM", Flag: "oidc-groups-claim", Default: "groups", Help: "ID-token claim holding the user's groups (a list of strings, or one comma-separated string); read at each sign-in.",
			set: nonEmpty(func(c *Config) *string { return &c.OIDCGroupsClaim }, "want a claim name such as groups")},
		{Env: "DOCENT_OIDC_SCOPES", Flag: "oidc-scopes", Default: "openid,profile,email", Help: "Comma-separated scopes requested at sign-in; `openid` is always requested. Add the scope your provider needs to put groups in the ID token, if any.",
			set: func(c *Config, v string) error {
				c.OIDCScopes = []string{"openid"}
				for _, s := range strings.Split(v, ",") {
					if s = strings.TrimSpace(s); s != "" && s != "openid" {
						c.OIDCScopes = append(c.OIDCScopes, s)
					}
				}
				return nil
			}},
		{Env: "DOCENT_SESSION_LIFETIME", Flag: "session-lifetime", Default: "12h", Help: "How long an OIDC sign-in lasts before the reader signs in again (and their groups are read again).",
			set: duration(func(c *Config) *time.Duration { return &c.SessionLifetime })},
		{Env: "DOCENT_SOURCE_ROOTS", Flag: "source-roots", Default: "", Help: "Colon-separated folders under which sources may be added from the browser; empty: none (use the CLI).",
			set: func(c *Config, v string) error {
				c.SourceRoots = nil
				for _, r := range strings.Split(v, ":") {
					if r = strings.TrimSpace(r); r == "" {
						continue
					}
					if !filepath.IsAbs(r) {
						return fmt.Errorf("%q is not an absolute path", r)
					}
					c.SourceRoots = append(c.SourceRoots, filepath.Clean(r))
				}
				return nil
			}},
		{Env: "DOCENT_ASK_RATE", Flag: "ask-rate", Default: "30", Help: "Questions per minute one user may ask (a burst of 10 is allowed), at most 2 in progress at once (429 past either).",
			set: func(c *Config, v string) error {
				f, err := strconv.ParseFloat(v, 64)
				if err != nil || f <= 0 || f > 100000 {
					return fmt.Errorf("want a positive number of questions per minute")
				}
				c.AskRate = f
				return nil
			}},
		{Env: "DOCENT_MAX_INFLIGHT", Flag: "max-inflight", Default: "0", Help: "Searches and questions (pages, API and MCP tool calls) the server runs at once; 0: two per CPU core (GOMAXPROCS), at most the database pool's size (20 unless `pool_max_conns` is in `DATABASE_URL`). Past it and its queue, requests are refused at once with 503 and `Retry-After`; see SCALING.md.",
			set: intRange(func(c *Config) *int { return &c.MaxInFlight }, 0, 10000)},
		{Env: "DOCENT_MAX_QUEUE", Flag: "max-queue", Default: "0", Help: "Searches and questions that may wait for one of the `DOCENT_MAX_INFLIGHT` slots; 0: four per slot.",
			set: intRange(func(c *Config) *int { return &c.MaxQueue }, 0, 100000)},
		{Env: "DOCENT_QUEUE_WAIT", Flag: "queue-wait", Default: "1s", Help: "How long a queued search or question waits for a slot before it is refused with 503; `Retry-After` is this, rounded up to whole seconds.",
			set: duration(func(c *Config) *time.Duration { return &c.QueueWait })},
		{Env: "DOCENT_QUERY_LOG_DAYS", Flag: "query-log-days", Default: "90", Help: "Days the query log keeps each question asked (its outcome, latency and top documents); older entries are purged hourly. 0 keeps no query log. See \"Feedback and the query log\".",
			set: intRange(func(c *Config) *int { return &c.QueryLogDays }, 0, 3650)},
		{Env: "DOCENT_QUERY_LOG_USERS", Flag: "query-log-users", Default: "pseudonym", Help: "Who asked, as the query log stores it: `pseudonym` (a stable keyed hash of the name, the key a random secret kept in the database), `name`, or `none`.",
			set: enum(func(c *Config) *string { return &c.QueryLogUsers }, "pseudonym", "name", "none")},
		{Env: "DOCENT_WORKERS", Flag: "workers", Default: "1", Help: "Re-index jobs this server works at once; 0 (or `server --no-worker`) serves queries only and leaves jobs to other servers or `indexer worker`.",
			set: intRange(func(c *Config) *int { return &c.Workers }, 0, 64)},
		{Env: "DOCENT_RESCUE_JOBS_AFTER", Flag: "rescue-jobs-after", Default: "2m", Help: "A re-index job whose worker died is run again after this long.",
			set: duration(func(c *Config) *time.Duration { return &c.RescueJobsAfter })},
		{Env: "DOCENT_SHUTDOWN_TIMEOUT", Flag: "shutdown-timeout", Default: "30s", Help: "On SIGTERM, how long running re-index jobs may take to finish before they stop at a file boundary.",
			set: duration(func(c *Config) *time.Duration { return &c.ShutdownTimeout })},
		{Env: "DOCENT_LOG_LEVEL", Flag: "log-level", Default: "info", Help: "debug, info, warn or error.",
			set: enum(func(c *Config) *string { return &c.LogLevel }, "debug", "info", "warn", "error")},
		{Env: "DOCENT_EMBEDDER", Flag: "embedder", Default: "local", Help: "Embedding provider: `local` (built in, offline), `ollama` or `openai` (any OpenAI-compatible server).",
			set: enum(func(c *Config) *string { return &c.Embedder }, "local", "ollama", "openai")},
		{Env: "DOCENT_EMBED_MODEL", Flag: "embed-model", Default: "", Help: "Embedding model name; empty picks the provider's default (`docent-local-v3`, `nomic-embed-text`, `text-embedding-3-small`). The built-in embedder is `docent-local-v3` (word vectors, see `DOCENT_WORD_VECTORS`) or `docent-local-v2` (no file needed). An index keeps the model it was built with: switching needs `indexer reembed`.",
			set: func(c *Config, v string) error { c.EmbedModel = v; return nil }},
		{Env: "DOCENT_WORD_VECTORS", Flag: "word-vectors", Default: ".data/wordvectors-wink-sg-100d.bin", Help: "Word-vector file of the built-in embedder `docent-local-v3`, made by `scripts/ensure-wordvectors.sh` (which `make run`, `make test` and CI call). A relative path is looked up from the current directory and its parents, then beside the binary and above it (so the checkout's `.data/` is found from anywhere in it); or give an absolute path.",
			set: func(c *Config, v string) error {
				if strings.TrimSpace(v) == "" {
					return fmt.Errorf("want a file path")
				}
				c.WordVectors = v
				return nil
			}},
		{Env: "DOCENT_EMBED_URL", Flag: "embed-url", Default: "", Help: "Embedding server base URL: `http://localhost:11434` for Ollama, `http://host:port/v1` for OpenAI-compatible.",
			set: urlValue(func(c *Config) *string { return &c.EmbedURL })},
		{Env: "DOCENT_EMBED_BATCH", Flag: "embed-batch", Default: "64", Help: "Chunks per embedding request.",
			set: intRange(func(c *Config) *int { return &c.EmbedBatch }, 1, 4096)},
		{Env: "DOCENT_EMBED_CONCURRENCY", Flag: "embed-concurrency", Default: "2", Help: "Embedding requests in flight at once.",
			set: intRange(func(c *Config) *int { return &c.EmbedConcurrency }, 1, 64)},
		{Env: "DOCENT_EMBED_TIMEOUT", Flag: "embed-timeout", Default: "60s", Help: "Timeout of one embedding request.",
			set: duration(func(c *Config) *time.Duration { return &c.EmbedTimeout })},
		{Env: "DOCENT_API_KEY", Flag: "", Default: "", Help: "API key for the model servers (falls back to `OPENAI_API_KEY`). Read from the environment only, never logged.", Secret: true,
			set: func(c *Config, v string) error { c.APIKey = v; return nil }},
		{Env: "DOCENT_LLM", Flag: "llm", Default: "extractive", Help: "Answer provider: `extractive` (no LLM: the best sentences of the sources, cited), `ollama` or `openai`.",
			set: enum(func(c *Config) *string { return &c.LLM }, "extractive", "ollama", "openai")},
		{Env: "DOCENT_LLM_MODEL", Flag: "llm-model", Default: "", Help: "Chat model name, e.g. `llama3.2` or `gpt-4o-mini`.",
			set: func(c *Config, v string) error { c.LLMModel = v; return nil }},
		{Env: "DOCENT_LLM_URL", Flag: "llm-url", Default: "", Help: "Chat server base URL, as for `DOCENT_EMBED_URL`.",
			set: urlValue(func(c *Config) *string { return &c.LLMURL })},
		{Env: "DOCENT_LLM_TIMEOUT", Flag: "llm-timeout", Default: "120s", Help: "Timeout of one answer from the LLM.",
			set: duration(func(c *Config) *time.Duration { return &c.LLMTimeout })},
		{Env: "DOCENT_LLM_CONTEXT_TOKENS", Flag: "llm-context-tokens", Default: "3000", Help: "Most tokens of source text put in a prompt; the lowest-ranked passages are dropped first.",
			set: intRange(func(c *Config) *int { return &c.LLMContextTokens }, 200, 200000)},
		{Env: "DOCENT_TS_CONFIG", Flag: "ts-config", Default: postgres.DefaultTextSearchConfig, Help: "PostgreSQL text-search configuration for full-text matching of text in no detected language, and of everything when `DOCENT_LANGUAGES=off` (e.g. `simple`, `german`).",
			set: func(c *Config, v string) error {
				if v == "" || strings.ContainsAny(v, " ;'\"") {
					return fmt.Errorf("want a text-search configuration name such as english or simple")
				}
				c.TextSearchConfig = v
				return nil
			}},
		{Env: "DOCENT_LANGUAGES", Flag: "languages", Default: "", Help: "Languages detected per passage, as ISO 639-1 codes (`de,fr,zh`): each passage is indexed with its language's stemming (Chinese, Japanese and Korean by character pairs). Empty: every language PostgreSQL has a configuration for; `off`: every passage uses `DOCENT_TS_CONFIG`, which also applies to text in no detected language.",
			set: func(c *Config, v string) error {
				if _, err := language.Parse(v); err != nil {
					return err
				}
				c.Languages = strings.TrimSpace(v)
				return nil
			}},
		{Env: "DOCENT_VECTOR_WEIGHT", Flag: "vector-weight", Default: "0.25", Help: "Weight of the vector (embedding) score in the fusion with full text; 0 turns it off. With a strong neural embedder, try 1.",
			set: weight(func(c *Config) *float64 { return &c.VectorWeight })},
		{Env: "DOCENT_LEXICAL_WEIGHT", Flag: "lexical-weight", Default: "1", Help: "Weight of the full-text (BM25) score in the fusion; 0 turns it off.",
			set: weight(func(c *Config) *float64 { return &c.LexicalWeight })},
		{Env: "DOCENT_RERANKER", Flag: "reranker", Default: "off", Help: "Rerank the top passages with a model server: `off`, `tei` (text-embeddings-inference's `/rerank`) or `cohere` (the `/rerank` API of Cohere, Jina, vLLM and llama.cpp's server). A failed reranker leaves the fused order, with a log line.",
			set: enum(func(c *Config) *string { return &c.Reranker }, "off", "tei", "cohere")},
		{Env: "DOCENT_RERANK_URL", Flag: "rerank-url", Default: "", Help: "Reranking server base URL; `/rerank` is appended: `http://tei:8080`, or `http://vllm:8000/v1` for `/v1/rerank`. Required when `DOCENT_RERANKER` is set.",
			set: urlValue(func(c *Config) *string { return &c.RerankURL })},
		{Env: "DOCENT_RERANK_API_KEY", Flag: "", Default: "", Help: "API key for the reranking server, sent as a bearer token. When unset, `DOCENT_API_KEY` is sent only to a reranker on the same host as `DOCENT_EMBED_URL` or `DOCENT_LLM_URL`, so a third-party reranker never receives the key of another provider. Read from the environment only, never logged.", Secret: true,
			set: func(c *Config, v string) error { c.RerankAPIKey = v; return nil }},
		{Env: "DOCENT_RERANK_MODEL", Flag: "rerank-model", Default: "", Help: "Reranking model name, for servers that serve several (e.g. `BAAI/bge-reranker-base`, `rerank-english-v3.0`).",
			set: func(c *Config, v string) error { c.RerankModel = v; return nil }},
		{Env: "DOCENT_RERANK_TIMEOUT", Flag: "rerank-timeout", Default: "5s", Help: "Timeout of one reranking request (one retry on 429, 5xx or a lost connection).",
			set: duration(func(c *Config) *time.Duration { return &c.RerankTimeout })},
		{Env: "DOCENT_RERANK_CANDIDATES", Flag: "rerank-candidates", Default: "20", Help: "How many of the fused ranking's top passages the reranker reorders.",
			set: intRange(func(c *Config) *int { return &c.RerankCandidates }, 2, 200)},
		{Env: "DOCENT_MAX_FILE_SIZE", Flag: "max-file-size", Default: "100MB", Help: "Files larger than this are skipped with a reason.",
			set: func(c *Config, v string) error {
				n, err := ParseSize(v)
				c.MaxFileSize = n
				return err
			}},
		{Env: "DOCENT_MAX_TEXT", Flag: "max-text", Default: "16MiB", Help: "Files whose extracted text is larger than this are skipped with a reason.",
			set: func(c *Config, v string) error {
				n, err := ParseSize(v)
				c.MaxText = n
				return err
			}},
		{Env: "DOCENT_PARSE_TIMEOUT", Flag: "parse-timeout", Default: "10s", Help: "Extraction of one file taking longer than this fails that file.",
			set: duration(func(c *Config) *time.Duration { return &c.ParseTimeout })},
		{Env: "DOCENT_PARSE_WORKERS", Flag: "parse-workers", Default: "0", Help: "Files parsed in parallel; 0 means one per CPU core.",
			set: intRange(func(c *Config) *int { return &c.ParseWorkers }, 0, 256)},
		{Env: "DOCENT_OCR", Flag: "ocr", Default: "auto", Help: "Read scanned PDF pages and images (PNG, JPEG, TIFF) with Tesseract: `auto` (on when `tesseract` is on PATH), `on` (a missing `tesseract` stops start-up) or `off`. Install: `scripts/ensure-tesseract.sh`.",
			set: func(c *Config, v string) error {
				switch v {
				case "off":
				case "auto", "on":
					if _, err := exec.LookPath("tesseract"); err != nil {
						if v == "on" {
							return fmt.Errorf("tesseract is not installed (%v): install it with scripts/ensure-tesseract.sh "+
								"(apt-get install tesseract-ocr tesseract-ocr-eng tesseract-ocr-deu tesseract-ocr-fra), or set DOCENT_OCR=off", err)
						}
						v = "off"
					} else {
						v = "on"
					}
				default:
					return fmt.Errorf("want one of auto, on, off")
				}
				c.OCR = v
				return nil
			}},
		{Env: "DOCENT_OCR_LANGUAGES", Flag: "ocr-languages", Default: "eng+deu+fra", Help: "Tesseract language models OCR reads with, joined by `+` (each needs its `tesseract-ocr-LANG` package; `chi_sim` for Simplified Chinese). Each one added slows OCR.",
			set: func(c *Config, v string) error {
				for _, l := range strings.Split(v, "+") {
					if l == "" || strings.Trim(l, "abcdefghijklmnopqrstuvwxyz_") != "" {
						return fmt.Errorf("want Tesseract language codes joined by +, such as eng+deu")
					}
				}
				c.OCRLanguages = v
				return nil
			}},
		{Env: "DOCENT_INDEX_BUILD_MEMORY", Flag: "index-build-memory", Default: "1GiB", Help: "Memory PostgreSQL may use to build each search index after a bulk load (`maintenance_work_mem`). An HNSW graph larger than this builds about three times slower: the index takes about 2 KB per chunk at 384 dimensions (391 MB for 200,000) and more than twice that at 1024; see BENCHMARKS.md.",
			set: func(c *Config, v string) error {
				n, err := ParseSize(v)
				if err == nil && n < 1<<20 {
					err = fmt.Errorf("want at least 1MiB")
				}
				c.IndexBuildMemory = n
				return err
			}},
		{Env: "DOCENT_EF_SEARCH", Flag: "ef-search", Default: "400", Help: "HNSW candidate list of a vector search (`hnsw.ef_search`): larger finds the true nearest passages more often and costs more; see BENCHMARKS.md for recall by value.",
			set: intRange(func(c *Config) *int { return &c.EfSearch }, 10, 1000)},
	}
}

// Bind registers a flag for every setting on fs and returns a function that loads the Config
// once fs has been parsed: defaults, then the environment, then flags given on the command line.
func Bind(fs *flag.FlagSet, getenv func(string) string) func() (Config, error) {
	flagged := map[string]*string{}
	for _, s := range Settings() {
		if s.Flag == "" {
			continue
		}
		v := new(string)
		flagged[s.Flag] = v
		fs.StringVar(v, s.Flag, "", fmt.Sprintf("%s (env %s, default %q)", s.Help, s.Env, s.Default))
	}
	return func() (Config, error) {
		given := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
		var c Config
		for _, s := range Settings() {
			v, from := s.Default, "default"
			if e := getenv(s.Env); e != "" {
				v, from = e, s.Env
			} else if s.Env == "DOCENT_API_KEY" && getenv("OPENAI_API_KEY") != "" {
				v, from = getenv("OPENAI_API_KEY"), "OPENAI_API_KEY"
			}
			if given[s.Flag] {
				v, from = *flagged[s.Flag], "--"+s.Flag
			}
			if err := s.set(&c, v); err != nil {
				shown := strconv.Quote(v)
				if s.Secret {
					shown = "(hidden)"
				}
				return Config{}, fmt.Errorf("invalid %s %s (from %s): %v", s.Env, shown, from, err)
			}
		}
		if err := c.checkIdentity(); err != nil {
			return Config{}, err
		}
		if c.Reranker != "off" && c.RerankURL == "" {
			return Config{}, fmt.Errorf("invalid DOCENT_RERANK_URL \"\": DOCENT_RERANKER=%s needs the reranking server's URL", c.Reranker)
		}
		return c, nil
	}
}

// Load is Bind for a program without other flags.
func Load(args []string) (Config, error) {
	fs := flag.NewFlagSet("docent", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	load := Bind(fs, os.Getenv)
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	return load()
}

// ParseSize reads a byte size such as 100MB, 512KiB or 1048576.
func ParseSize(v string) (int64, error) {
	s := strings.ToUpper(strings.TrimSpace(v))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GIB", 1 << 30}, {"MIB", 1 << 20}, {"KIB", 1 << 10}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"B", 1}} {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("want a positive size such as 100MB or 512KiB")
	}
	return n * mult, nil
}

func enum(field func(*Config) *string, allowed ...string) func(*Config, string) error {
	return func(c *Config, v string) error {
		for _, a := range allowed {
			if v == a {
				*field(c) = v
				return nil
			}
		}
		return fmt.Errorf("want one of %s", strings.Join(allowed, ", "))
	}
}

func intRange(field func(*Config) *int, lo, hi int) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			return fmt.Errorf("want a whole number from %d to %d", lo, hi)
		}
		*field(c) = n
		return nil
	}
}

// nonEmpty sets a trimmed string that must not be blank; want says what to give instead.
func nonEmpty(field func(*Config) *string, want string) func(*Config, string) error {
	return func(c *Config, v string) error {
		if v = strings.TrimSpace(v); v == "" {
			return errors.New(want)
		}
		*field(c) = v
		return nil
	}
}

func header(field func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error {
		v = strings.TrimSpace(v)
		if v == "" || strings.ContainsAny(v, " :\t\r\n") {
			return fmt.Errorf("want an HTTP header name such as X-Forwarded-User")
		}
		*field(c) = v
		return nil
	}
}

func weight(field func(*Config) *float64) func(*Config, string) error {
	return func(c *Config, v string) error {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 || f > 100 {
			return fmt.Errorf("want a number from 0 to 100")
		}
		*field(c) = f
		return nil
	}
}

func duration(field func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("want a positive duration such as 30s or 2m")
		}
		*field(c) = d
		return nil
	}
}

func urlValue(field func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error {
		if v != "" && !strings.HasPrefix(v, "http://") && !strings.HasPrefix(v, "https://") {
			return fmt.Errorf("want an http:// or https:// URL")
		}
		*field(c) = strings.TrimRight(v, "/")
		return nil
	}
}
