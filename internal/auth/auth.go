// Package auth stores the credentials Docent issues itself: sign-in sessions (OIDC mode) and
// personal API keys, plus the audit log of admin actions. Secrets are random tokens of which
// only a SHA-256 hash is stored, so reading the database signs no one in. Who a credential
// acts for is a user name and groups; the access filter downstream is the same as for any
// reader.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
)

// ErrInvalid is any credential that does not sign anyone in: unknown, tampered, expired or
// revoked. Callers answer all alike (401), so a probe learns nothing about which.
var ErrInvalid = errors.New("invalid or expired credential")

// ErrNotFound is a key that does not exist (for revoke).
var ErrNotFound = errors.New("no such key")

// secret returns n random bytes, hex-encoded.
func secret(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand panics instead)
	return hex.EncodeToString(b)
}

func hash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
