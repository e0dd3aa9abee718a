package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/docent-search/docent/internal/auth"
	"github.com/docent-search/docent/internal/source"
)

// Personal API keys from the command line, for admins and automation (service accounts that
// never sign in). The browser's /keys page is the way for readers.

func keysCreate(fs *flag.FlagSet) runFunc {
	user := fs.String("user", "", "the user the key acts as (required)")
	groups := fs.String("groups", "", "comma-separated groups the key searches with; replaced by the user's groups at their next OIDC sign-in")
	scope := fs.String("scope", auth.ScopeRead, "read (search and ask) or admin (also the admin API; needs the admin group in --groups)")
	expires := fs.String("expires", "90d", "lifetime, e.g. 90d or 12h")
	return func(ctx context.Context, e *env, args []string) error {
		if len(args) != 1 {
			return errors.New("keys create: want NAME")
		}
		if *user == "" {
			return errors.New("keys create: --user is required")
		}
		ttl, err := auth.ParseTTL(*expires)
		if err != nil {
			return err
		}
		token, key, err := auth.CreateKey(ctx, e.pool, auth.NewKey{User: *user, Name: args[0], Groups: source.SplitGroups(*groups),
			Scope: *scope, TTL: ttl, AdminGroup: e.cfg.AdminGroup})
		if err != nil {
			return err
		}
		cliAudit(ctx, e, "key created", key.User+"/"+key.Name, "scope="+key.Scope+" groups="+strings.Join(key.Groups, ","))
		fmt.Fprintf(e.out, "created key %s for %s (scope %s, groups %s, expires %s); it is shown once:\n%s\n",
			key.Name, key.User, key.Scope, groupList(key.Groups), key.Expires.Format("2006-01-02"), token)
		return nil
	}
}

func keysList(fs *flag.FlagSet) runFunc {
	user := fs.String("user", "", "only this user's keys")
	return func(ctx context.Context, e *env, _ []string) error {
		keys, err := auth.ListKeys(ctx, e.pool, *user)
		if err != nil {
			return err
		}
		if len(keys) == 0 {
			fmt.Fprintln(e.out, "no API keys")
			return nil
		}
		tw := tabwriter.NewWriter(e.out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "USER\tNAME\tKEY\tSCOPE\tGROUPS\tCREATED\tEXPIRES\tLAST USED\tREVOKED")
		for _, k := range keys {
			used, revoked := "never", "-"
			if k.LastUsed != nil {
				used = k.LastUsed.Format("2006-01-02 15:04")
			}
			if k.Revoked != nil {
				revoked = k.Revoked.Format("2006-01-02 15:04")
			}
			fmt.Fprintf(tw, "%s\t%s\t%s…\t%s\t%s\t%s\t%s\t%s\t%s\n", printable(k.User), printable(k.Name), k.Prefix, k.Scope, groupList(k.Groups),
				k.Created.Format("2006-01-02"), k.Expires.Format("2006-01-02"), used, revoked)
		}
		return tw.Flush()
	}
}

func keysRevoke(fs *flag.FlagSet) runFunc {
	user := fs.String("user", "", "the key's owner (required)")
	return func(ctx context.Context, e *env, args []string) error {
		if len(args) != 1 || *user == "" {
			return errors.New("keys revoke: want NAME --user USER")
		}
		k, err := auth.RevokeKey(ctx, e.pool, *user, args[0])
		if err != nil {
			return err
		}
		cliAudit(ctx, e, "key revoked", k.User+"/"+k.Name, "")
		fmt.Fprintf(e.out, "revoked key %s of %s\n", k.Name, k.User)
		return nil
	}
}

// cliAudit records an admin action taken on the command line, as the operating-system user.
func cliAudit(ctx context.Context, e *env, action, target, detail string) {
	actor := "cli:" + cmp.Or(os.Getenv("USER"), "unknown")
	if err := auth.Record(ctx, e.pool, auth.Entry{Actor: actor, Action: action, Target: target, Detail: detail, Remote: "indexer"}); err != nil {
		e.log.Error("recording an admin action in the audit log", "action", action, "err", err)
	}
}
