package config_test

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docent-search/docent/internal/config"
	"github.com/docent-search/docent/internal/reindex"
)

func load(t *testing.T, env map[string]string, args ...string) (config.Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	l := config.Bind(fs, func(k string) string { return env[k] })
	if err := fs.Parse(args); err != nil {
		return config.Config{}, err
	}
	return l()
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	c, err := load(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.Embedder != "local" || c.LLM != "extractive" || c.TextSearchConfig != "english" ||
		c.MaxFileSize != 100e6 || c.EmbedTimeout != time.Minute || c.EmbedBatch != 64 {
		t.Fatalf("defaults = %+v", c)
	}
	// The queue's own default serves callers without a configuration; the two must agree.
	if c.RescueJobsAfter != reindex.DefaultRescueAfter {
		t.Errorf("DOCENT_RESCUE_JOBS_AFTER defaults to %s, reindex.DefaultRescueAfter is %s", c.RescueJobsAfter, reindex.DefaultRescueAfter)
	}
}

func TestFlagsOverrideEnvironment(t *testing.T) {
	t.Parallel()
	c, err := load(t, map[string]string{"DOCENT_ADDR": "0.0.0.0:9000", "DOCENT_EMBEDDER": "ollama"}, "--addr", "127.0.0.1:7000")
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:7000" || c.Embedder != "ollama" {
		t.Fatalf("got addr %s embedder %s", c.Addr, c.Embedder)
	}
}

func TestAPIKeyFallsBackToOpenAIVariable(t *testing.T) {
	t.Parallel()
	c, err := load(t, map[string]string{"OPENAI_API_KEY": "sk-fallback"})
	if err != nil || c.APIKey != "sk-fallback" {
		t.Fatalf("APIKey = %q, %v", c.APIKey, err)
	}
	c, err = load(t, map[string]string{"OPENAI_API_KEY": "sk-fallback", "DOCENT_API_KEY": "sk-docent"})
	if err != nil || c.APIKey != "sk-docent" {
		t.Fatalf("APIKey = %q, %v", c.APIKey, err)
	}
}

func TestInvalidValuesNameTheSetting(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"DOCENT_ADDR": "8080"}, "DOCENT_ADDR"},
		{map[string]string{"DOCENT_EMBEDDER": "bert"}, "DOCENT_EMBEDDER"},
		{map[string]string{"DOCENT_EMBED_BATCH": "0"}, "DOCENT_EMBED_BATCH"},
		{map[string]string{"DOCENT_EMBED_TIMEOUT": "soon"}, "DOCENT_EMBED_TIMEOUT"},
		{map[string]string{"DOCENT_LLM_URL": "localhost:11434"}, "DOCENT_LLM_URL"},
		{map[string]string{"DOCENT_MAX_FILE_SIZE": "lots"}, "DOCENT_MAX_FILE_SIZE"},
		{map[string]string{"DOCENT_TS_CONFIG": "english'; drop"}, "DOCENT_TS_CONFIG"},
		{map[string]string{"DOCENT_PUBLIC_URL": "docent.example.com"}, "DOCENT_PUBLIC_URL"},
		{map[string]string{"DOCENT_PUBLIC_URL": "ftp://docent.example.com"}, "DOCENT_PUBLIC_URL"},
		{map[string]string{"DOCENT_METRICS_ADDR": "9464"}, "DOCENT_METRICS_ADDR"},
	} {
		_, err := load(t, tc.env)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want one naming %s", tc.env, err, tc.want)
		}
	}
}

func TestPublicURLAndMetricsAddress(t *testing.T) {
	t.Parallel()
	c, err := load(t, map[string]string{"DOCENT_TRUSTED_PROXIES": "10.0.0.5", "DOCENT_PUBLIC_URL": "https://Docent.Example.com:8443/"})
	if err != nil || c.PublicHost != "docent.example.com" {
		t.Fatalf("public host %q, %v", c.PublicHost, err)
	}
	if c.MetricsAddr != "127.0.0.1:9464" {
		t.Errorf("default metrics address %q, want loopback", c.MetricsAddr)
	}
	for _, off := range []struct {
		env  map[string]string
		args []string
	}{{map[string]string{"DOCENT_METRICS_ADDR": "off"}, nil}, {nil, []string{"--metrics-addr="}}} {
		if c, err := load(t, off.env, off.args...); err != nil || c.MetricsAddr != "" {
			t.Errorf("%v %v: metrics address %q, %v; want none", off.env, off.args, c.MetricsAddr, err)
		}
	}
}

func TestParseSize(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int64{"100MB": 100e6, "512KiB": 512 << 10, "1048576": 1 << 20, "2 GiB": 2 << 30} {
		got, err := config.ParseSize(in)
		if err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-5MB", "MB", "1.5GB"} {
		if _, err := config.ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) accepted", in)
		}
	}
}

// TestOCRMode: auto follows whether tesseract is on PATH, on without it stops start-up with
// the install command, off stays off. (Not parallel: it sets PATH.)
func TestOCRMode(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // no tesseract here
	for mode, want := range map[string]string{"auto": "off", "off": "off"} {
		if c, err := load(t, map[string]string{"DOCENT_OCR": mode}); err != nil || c.OCR != want {
			t.Errorf("DOCENT_OCR=%s without tesseract: %q, %v; want %s", mode, c.OCR, err, want)
		}
	}
	_, err := load(t, map[string]string{"DOCENT_OCR": "on"})
	if err == nil || !strings.Contains(err.Error(), "invalid DOCENT_OCR") || !strings.Contains(err.Error(), "apt-get install tesseract-ocr") {
		t.Errorf("DOCENT_OCR=on without tesseract: %v", err)
	}
	bin := t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "tesseract"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
	if c, err := load(t, map[string]string{"DOCENT_OCR": "auto", "DOCENT_OCR_LANGUAGES": "eng+chi_sim"}); err != nil || c.OCR != "on" || c.OCRLanguages != "eng+chi_sim" {
		t.Errorf("DOCENT_OCR=auto with tesseract: %+v, %v", c, err)
	}
	if _, err := load(t, map[string]string{"DOCENT_OCR_LANGUAGES": "eng;rm -rf"}); err == nil {
		t.Error("a language list with shell characters was accepted")
	}
}
