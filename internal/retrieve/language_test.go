package retrieve_test

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/docent-search/docent/internal/embedder"
	"github.com/docent-search/docent/internal/ingest"
	"github.com/docent-search/docent/internal/language"
	"github.com/docent-search/docent/internal/retrieve"
)

// A multilingual intranet: each passage is indexed with its language's configuration, Chinese
// by character bigrams, and questions are parsed for every language the index holds.
var multilingual = map[string]string{
	"de/urlaub.md":    "# Urlaub\n\nAnträge auf Erholungsurlaub werden im Personalportal gestellt. Die Anträge müssen spätestens zwei Wochen vor Urlaubsbeginn von der Teamleitung genehmigt werden, sonst verfallen sie.\n",
	"fr/frais.md":     "# Notes de frais\n\nLes notes de frais sont remboursées chaque mois. Joignez tous les justificatifs originaux et indiquez le code du projet concerné.\n",
	"zh/vpn.md":       "# 远程访问\n\n在家办公时，员工需要先安装 VPN 客户端，然后使用公司账号登录虚拟专用网络。连接失败时请联系信息技术部门。\n",
	"en/travel.md":    "# Travel policy\n\nBook economy class for flights under six hours. Expense reports are due by the fifth working day of the following month, with every receipt attached and the project code filled in.\n",
	"hr/de/gehalt.md": "# Gehaltsbänder\n\nDie Gehaltsbänder der Ingenieure werden jedes Jahr im April von der Personalabteilung überprüft und angepasst.\n",
}

func TestSearchInLanguages(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t, multilingual)
	english := setupIndexer(t, multilingual, &ingest.Indexer{Embedder: embedder.Local{}, Languages: language.Off})

	t.Run("ChunksRecordTheirLanguageAndConfiguration", func(t *testing.T) {
		t.Parallel()
		rows, err := b.pool.Query(ctx, `SELECT d.path, c.language, c.ts_config::text, c.segmented IS NOT NULL
			FROM chunks c JOIN documents d ON d.id = c.document_id ORDER BY d.path`)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][3]any{}
		for rows.Next() {
			var path, lang, cfg string
			var seg bool
			if err := rows.Scan(&path, &lang, &cfg, &seg); err != nil {
				t.Fatal(err)
			}
			got[path] = [3]any{lang, cfg, seg}
		}
		want := map[string][3]any{
			"de/urlaub.md": {"de", "german", false}, "fr/frais.md": {"fr", "french", false}, "zh/vpn.md": {"zh", "english", true},
			"en/travel.md": {"en", "english", false}, "hr/de/gehalt.md": {"de", "german", false},
		}
		for p, w := range want {
			if got[p] != w {
				t.Errorf("%s: language, configuration, segmented = %v, want %v", p, got[p], w)
			}
		}
	})
	t.Run("GermanStemmingFindsAnInflection", func(t *testing.T) {
		t.Parallel()
		// "Antrag" (singular) against "Anträge" (plural, umlaut): german stems both to antrag,
		// english to antrag and anträg.
		if got := lexical(t, b, "Antrag"); !slices.Contains(got, "de/urlaub.md") {
			t.Errorf("Antrag found %q, want de/urlaub.md", got)
		}
		if got := lexical(t, english, "Antrag"); slices.Contains(got, "de/urlaub.md") {
			t.Errorf("with one english configuration Antrag found %q: the test no longer shows what German stemming adds", got)
		}
	})
	t.Run("FrenchStemming", func(t *testing.T) {
		t.Parallel()
		if got := lexical(t, b, "justificatif original"); len(got) == 0 || got[0] != "fr/frais.md" {
			t.Errorf("justificatif original found %q, want fr/frais.md first", got)
		}
	})
	t.Run("FrenchElision", func(t *testing.T) {
		t.Parallel()
		// PostgreSQL's parser cuts "l'original" at the apostrophe, in the passage and so in the
		// question: read as one word, "loriginal", it matched nothing.
		for _, q := range []string{"l'original", "l’original"} {
			if got := lexical(t, b, q); len(got) == 0 || got[0] != "fr/frais.md" {
				t.Errorf("%s found %q, want fr/frais.md first", q, got)
			}
		}
		// The embedder reads "l'original" as one word, "loriginal": it weighs as "original".
		w, err := b.searcher.WordIDF(ctx, "l'original")
		if err != nil {
			t.Fatal(err)
		}
		if w["original"] <= 0 || w["loriginal"] != w["original"] {
			t.Errorf("word weights %v: want loriginal weighed as original", w)
		}
	})
	t.Run("ChineseByBigrams", func(t *testing.T) {
		t.Parallel()
		// PostgreSQL's parser would make each run between punctuation one word ("然后使用公司账号登录虚拟专用网络"):
		// none of these questions would match it.
		for _, q := range []string{"虚拟专用网络", "怎么登录公司账号", "连接失败"} {
			if got := lexical(t, b, q); len(got) == 0 || got[0] != "zh/vpn.md" {
				t.Errorf("%s found %q, want zh/vpn.md first", q, got)
			}
		}
	})
	t.Run("MixedChineseAndLatin", func(t *testing.T) {
		t.Parallel()
		if got := lexical(t, b, "VPN客户端"); len(got) == 0 || got[0] != "zh/vpn.md" {
			t.Errorf("VPN客户端 found %q, want zh/vpn.md first", got)
		}
		rs, err := b.searcher.Search(ctx, retrieve.Query{Text: "安装VPN客户端"})
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) == 0 || rs[0].Path != "zh/vpn.md" {
			t.Errorf("hybrid 安装VPN客户端 found %q, want zh/vpn.md first", paths(rs))
		}
	})
	t.Run("EnglishUnchanged", func(t *testing.T) {
		t.Parallel()
		if got := lexical(t, b, "economy flights"); len(got) == 0 || got[0] != "en/travel.md" {
			t.Errorf("economy flights found %q, want en/travel.md first", got)
		}
	})
	t.Run("AccessFilteringInEveryLanguage", func(t *testing.T) {
		t.Parallel()
		if got := lexical(t, b, "Gehaltsbänder Ingenieure"); slices.Contains(got, "hr/de/gehalt.md") {
			t.Errorf("a reader outside hr found %q", got)
		}
		if got := lexical(t, b, "Gehaltsband Ingenieur", "hr"); !slices.Contains(got, "hr/de/gehalt.md") {
			t.Errorf("an hr reader found %q, want hr/de/gehalt.md", got)
		}
	})
}

// Two French pages whose words share Snowball's stem `compt`: one holds the infinitive a
// how-to question asks with, the other (shorter, so it wins on stems alone) the noun.
var frenchForms = map[string]string{
	"fr/wc.md":     "# wc\n\nLa commande wc permet de compter les lignes, les mots et les octets de chaque fichier donné, puis d'afficher le total de tous les fichiers à la fin de la liste.\n",
	"fr/compte.md": "# Comptes\n\nLe compte de l'utilisateur est verrouillé après trois échecs de connexion au serveur.\n",
}

func TestExactWordForms(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t, frenchForms)
	first := func(t *testing.T, text string) string {
		t.Helper()
		rs, err := b.searcher.Search(ctx, retrieve.Query{Text: text, Mode: "lexical"})
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) < 2 {
			t.Fatalf("%s found %q, want both pages (they share the stem)", text, paths(rs))
		}
		return rs[0].Path
	}
	t.Run("TheQuestionsFormRanksFirst", func(t *testing.T) {
		t.Parallel()
		if got := first(t, "compter"); got != "fr/wc.md" {
			t.Errorf("compter ranked %s first, want fr/wc.md, which holds the infinitive", got)
		}
		if got := first(t, "compte"); got != "fr/compte.md" {
			t.Errorf("compte ranked %s first, want fr/compte.md", got)
		}
	})
	t.Run("AStopWordAloneCoversNothing", func(t *testing.T) {
		t.Parallel()
		// "de" and "la" are French stop words: the question asks only for their exact forms,
		// which add to a passage's score and nothing to its Coverage, one alone as two.
		for _, text := range []string{"de", "de la"} {
			rs, err := b.searcher.Search(ctx, retrieve.Query{Text: text, Mode: "lexical"})
			if err != nil {
				t.Fatal(err)
			}
			if len(rs) == 0 {
				t.Fatalf("%s found nothing, want the pages holding it as written", text)
			}
			for _, r := range rs {
				if r.Coverage != 0 {
					t.Errorf("%s: %s has Coverage %v, want 0 (a stop word's form is no part of the question's weight)", text, r.Path, r.Coverage)
				}
			}
		}
	})
	t.Run("AStopWordsFormWeighsItsWholeIDF", func(t *testing.T) {
		t.Parallel()
		// "de" is a French stop word: its exact form is all the question asks for it, at its
		// whole IDF; "compter" asks for its stem too, and for its form at exactWeight.
		idfs, dfs, n, err := b.searcher.TermIDFs(ctx, "compter de")
		if err != nil {
			t.Fatal(err)
		}
		full := func(lexeme string) float64 {
			df := float64(dfs[lexeme])
			return math.Log(1 + (float64(n)-df+0.5)/(df+0.5))
		}
		if _, ok := idfs["=de"]; !ok {
			t.Fatalf("the question asks for %v, want =de among them", idfs)
		}
		if got, want := idfs["=de"], full("=de"); got != want {
			t.Errorf("=de weighs %v, want its whole IDF %v", got, want)
		}
		if got, want := idfs["=compter"], retrieve.ExactWeight*full("=compter"); math.Abs(got-want) > 1e-12 {
			t.Errorf("=compter weighs %v, want exactWeight × its IDF, %v", got, want)
		}
	})
	t.Run("LengthCountsStemsOnly", func(t *testing.T) {
		t.Parallel()
		// Every posting's dl is the chunk's token count under its configuration alone, as
		// before exact forms; the chunk holds exact forms all the same.
		var chunks, exact, wrong int
		err := b.pool.QueryRow(ctx, `
			WITH want AS (SELECT c.id, (SELECT sum(cardinality(u.positions)) FROM unnest(
			         to_tsvector(c.ts_config, c.title) || to_tsvector(c.ts_config, c.heading) || to_tsvector(c.ts_config, c.text)) u) AS dl
			     FROM chunks c)
			SELECT count(DISTINCT w.id), count(*) FILTER (WHERE starts_with(p.lexeme, '=')), count(*) FILTER (WHERE p.dl <> w.dl)
			FROM want w JOIN postings p ON p.chunk_id = w.id`).Scan(&chunks, &exact, &wrong)
		if err != nil {
			t.Fatal(err)
		}
		if chunks == 0 || exact == 0 || wrong != 0 {
			t.Errorf("%d chunks, %d postings of exact forms, %d postings whose dl counts more than the stems", chunks, exact, wrong)
		}
		var docLength, avgLength, wantDoc, wantAvg float64
		err = b.pool.QueryRow(ctx, `SELECT (SELECT sum(length) FROM document_stats), (SELECT avg_length FROM corpus_stats),
			(SELECT sum(dl) FROM (SELECT DISTINCT chunk_id, dl FROM postings) x), (SELECT avg(dl) FROM (SELECT DISTINCT chunk_id, dl FROM postings) x)`).
			Scan(&docLength, &avgLength, &wantDoc, &wantAvg)
		if err != nil {
			t.Fatal(err)
		}
		if docLength != wantDoc || math.Abs(avgLength-wantAvg) > 1e-9 {
			t.Errorf("document lengths sum to %v and the average chunk length is %v, want %v and %v (stems only)", docLength, avgLength, wantDoc, wantAvg)
		}
	})
}

// TestExactFormThroughAPlainLexeme checks that a passage of a configuration that holds no exact
// forms (the French manual page of chage is mostly English, and indexed as English) gets a
// bonus for holding the question's word as written, as a French passage does through its form,
// through its lexeme where that lexeme is the word itself ("date" is `dat` in French and `date`
// in English), weighed as a form beside its stem: exactWeight × the stem's IDF.
func TestExactFormThroughAPlainLexeme(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t, map[string]string{
		"fr/passwd.md": "# passwd\n\nLa commande passwd modifie le mot de passe d'un compte et affiche la date de la dernière modification du mot de passe.\n",
		"fr/chage.md":  "# chage\n\nThe chage command changes the number of days between password changes and the date of the last password change.\n",
	})
	terms, err := b.searcher.QueryTerms(ctx, "date")
	if err != nil {
		t.Fatal(err)
	}
	var form, bonus, stem []retrieve.QueryTerm
	for _, tm := range terms {
		switch {
		case tm.Lexeme == "=date":
			form = append(form, tm)
		case tm.Lexeme == "date" && tm.Exact:
			bonus = append(bonus, tm)
		case tm.Lexeme == "date":
			stem = append(stem, tm)
		}
	}
	if len(form) != 1 || len(bonus) != 1 || len(stem) != 1 {
		t.Fatalf("the question asks for %v, want =date, and date both as a stem and as the form", terms)
	}
	if want := retrieve.ExactWeight * stem[0].IDF; math.Abs(bonus[0].IDF-want) > 1e-12 {
		t.Errorf("date as the form weighs %v, want exactWeight × its stem's IDF, %v", bonus[0].IDF, want)
	}
	// "dates" is `date` in English, not the word as written: no bonus.
	terms, err = b.searcher.QueryTerms(ctx, "dates")
	if err != nil {
		t.Fatal(err)
	}
	for _, tm := range terms {
		if tm.Exact && !strings.HasPrefix(tm.Lexeme, "=") {
			t.Errorf("dates asks for %v as a form, want only =dates", tm)
		}
	}
}

// TestEnglishStopWordFormWeighsHalf (exactWeight, once half): in an index of English and French passages, an English
// stop word ("before", which only `english` drops) asks for its form, held only by French
// passages quoting English; the rule "a French stop word's form weighs its whole IDF" must not
// give it the whole IDF (it did while any configuration's stop words counted).
func TestEnglishStopWordFormWeighsHalf(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t, map[string]string{
		"fr/fusion.md": "# Fusion\n\nLa fusion des branches s'exécute après la vérification; le journal, qui est anglais, écrit before merge à chaque étape.\n",
		"en/merge.md":  "# Merging\n\nA merge joins two branches. Run the tests before you merge a branch into main.\n",
		"en/rebase.md": "# Rebasing\n\nRebasing rewrites the commits of a branch on top of another one.\n",
	})
	idfs, dfs, n, err := b.searcher.TermIDFs(ctx, "before qui merge")
	if err != nil {
		t.Fatal(err)
	}
	// Each form's weight: its IDF in the question over its plain IDF (the question's language
	// scales both alike).
	weight := func(form string) float64 {
		got, ok := idfs[form]
		if !ok {
			t.Fatalf("the question asks for %v: no %s in this index", idfs, form)
		}
		df := float64(dfs[form])
		return got / math.Log(1+(float64(n)-df+0.5)/(df+0.5))
	}
	english, french := weight("=before"), weight("=qui")
	if math.Abs(english-retrieve.ExactWeight*french) > 1e-12 {
		t.Errorf("=before (an English stop word) weighs %v of its IDF, =qui (a French one) %v: want exactWeight × its", english, french)
	}
}

// TestPlainLexemeBonusAtMostHalfItsStem: the bonus through a plain lexeme reads that lexeme's
// postings (every English passage holding file/files/filed), so it weighs by that lexeme's IDF:
// weighed by the form's (French passages holding "file" as written, a few) it outweighed the
// stem itself, not "half as much again".
func TestPlainLexemeBonusAtMostHalfItsStem(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	files := map[string]string{
		"fr/queue.md": "# File d'attente\n\nLa file d'attente des travaux est vidée chaque nuit par le démon, après la vérification des droits de chaque compte et avant la sauvegarde des journaux.\n",
		"fr/autre.md": "# Tâches\n\nLes tâches planifiées sont décrites dans la table du démon cron, qui les exécute à l'heure prévue pour chaque utilisateur et envoie le résultat par courrier.\n",
	}
	for i, p := range []string{"a", "b", "c", "d", "e", "f"} {
		files["en/"+p+".md"] = "# Page " + p + "\n\nEach file is copied to the backup host; a file over the quota is skipped. Note " + string(rune('a'+i)) + ".\n"
	}
	b := setup(t, files)
	terms, err := b.searcher.QueryTerms(ctx, "file")
	if err != nil {
		t.Fatal(err)
	}
	var stem, bonus float64
	for _, tm := range terms {
		switch {
		case tm.Lexeme == "file" && tm.Exact:
			bonus = tm.IDF
		case tm.Lexeme == "file":
			stem = tm.IDF
		}
	}
	if bonus == 0 {
		t.Fatalf("no bonus through file: %v", terms)
	}
	if bonus > retrieve.ExactWeight*stem+1e-12 {
		t.Errorf("file's bonus weighs %v, its stem %v: want at most exactWeight × the stem's", bonus, stem)
	}
}

// An index mostly English with a French page whose words are the french configuration's stems
// of an English question's words: "line" is `lin` in French (linen), "file" `fil` (thread).
var englishAndFrench = map[string]string{
	"en/blame.md":  "# Annotate\n\nThe annotate command prints, next to every line, the commit and the author that last touched it, so a reviewer sees the history of the code at a glance.\n",
	"en/branch.md": "# Branches\n\nA branch is a movable pointer to a commit. Create one for every feature, merge it when the work is reviewed, and delete it afterwards.\n",
	"fr/lin.md":    "# Le lin\n\nChaque fil de lin est filé puis tendu sur le métier. Les fils de lin les plus fins donnent une toile légère, et le fil de lin ciré sert à coudre le cuir des selles.\n",
}

func TestQuestionLanguageWeighsItsParses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t, englishAndFrench)
	t.Run("AnEnglishQuestionPrefersTheEnglishPassage", func(t *testing.T) {
		t.Parallel()
		// Parsed as French too, the question asks for `lin` and `fil`, which the French page
		// holds eight times; it is English, so those lexemes weigh little.
		if got := lexical(t, b, "who last changed each line of a file"); len(got) == 0 || got[0] != "en/blame.md" {
			t.Errorf("found %q, want en/blame.md first", got)
		}
	})
	t.Run("AFrenchQuestionStillFindsTheFrenchPassage", func(t *testing.T) {
		t.Parallel()
		if got := lexical(t, b, "à quoi sert le fil de lin"); len(got) == 0 || got[0] != "fr/lin.md" {
			t.Errorf("found %q, want fr/lin.md first", got)
		}
	})
	t.Run("WordsAlikeInBothLanguagesKeepTheirWeight", func(t *testing.T) {
		t.Parallel()
		// "commit" is `commit` in both configurations: an English question's weighting leaves it whole.
		if got := lexical(t, b, "commit"); len(got) != 2 {
			t.Errorf("commit found %q, want both English pages", got)
		}
		terms, err := b.searcher.QueryTerms(ctx, "who last changed each line of a commit")
		if err != nil {
			t.Fatal(err)
		}
		var sawLin bool
		for _, tm := range terms {
			sawLin = sawLin || tm.Lexeme == "lin"
			if tm.Lexeme == "commit" && tm.Weight != 1 {
				t.Errorf("commit weighs %v in an English question, want 1", tm.Weight)
			}
			if tm.Lexeme == "lin" && tm.Weight >= 1 {
				t.Errorf("French lin weighs %v in an English question, want less than 1", tm.Weight)
			}
		}
		if !sawLin {
			t.Errorf("the question asks for %v: no French lin, nothing weighed down", terms)
		}
	})
}

// TestCoverageOfAFullMatchInTheQuestionsLanguageIsOne checks that Coverage stays a share of
// what the question weighs once its parses are weighted by language: in an index of English and
// French passages, a passage holding every English stem of an English question matches the
// question's whole IDF mass (with the share lw/Σlw a word of two lexemes weighed 1 and 0.35
// counted idf·Σlw²/Σlw, 0.83 of it, and such a passage matched 1.15 of the mass).
func TestCoverageOfAFullMatchInTheQuestionsLanguageIsOne(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t, englishAndFrench)
	const q = "who last changed each line of a file"
	terms, err := b.searcher.QueryTerms(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	mass, err := b.searcher.IDFMass(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	matched, french := 0.0, 0
	for _, tm := range terms {
		switch {
		case tm.Exact:
		case tm.Weight == 1:
			matched += tm.IDF
		default:
			french++
		}
	}
	if french == 0 {
		t.Fatalf("the question asks for %v: no lexeme weighed below 1, nothing to test", terms)
	}
	if math.Abs(matched/mass-1) > 1e-9 {
		t.Errorf("an English passage holding every English stem matches %.4f of the IDF mass, want 1", matched/mass)
	}
}

// lexical returns the paths of a lexical search of b for text by a reader of groups.
func lexical(t *testing.T, b testBundle, text string, groups ...string) []string {
	t.Helper()
	rs, err := b.searcher.Search(context.Background(), retrieve.Query{Text: text, Mode: "lexical", Groups: groups})
	if err != nil {
		t.Fatal(err)
	}
	return paths(rs)
}

// TestNoFormForTheOtherNumbersStem: "droits" is stemmed `droit`, which is "droit" as written,
// so a passage saying "droit" holds no form; asking for =droits would rank the plural above
// the singular for the number alone. "lignes" (stem `lign`, neither number) keeps its form.
func TestNoFormForTheOtherNumbersStem(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t, map[string]string{
		"fr/chmod.md":   "# chmod\n\nLa commande chmod change le droit d'accès de chaque fichier donné, pour le propriétaire, le groupe et les autres utilisateurs du système.\n",
		"fr/crontab.md": "# crontab\n\nLa table des tâches planifiées de chaque utilisateur est lue par le démon cron, qui vérifie les droits du fichier et les lignes de la table.\n",
	})
	idfs, _, _, err := b.searcher.TermIDFs(ctx, "droits lignes")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := idfs["=droits"]; ok {
		t.Errorf("the question asks for =droits (%v): want only the stem droit", idfs)
	}
	if _, ok := idfs["=lignes"]; !ok {
		t.Errorf("the question asks for %v: want =lignes among them", idfs)
	}
	if _, ok := idfs["droit"]; !ok {
		t.Errorf("the question asks for %v: want the stem droit", idfs)
	}
}

// TestQuestionWithoutAccents: a question typed without accents also asks for what the same
// question with them asks for. Snowball keeps the accents it does not strip ("répertoire" is
// `répertoir`, "repertoire" `repertoir`) and stems some words differently without them
// ("accès" `acces`, "acces" `acce`; "occupée" `occup`, "occupee" `occupe`): a typed word is
// also read as its accented form where French passages hold that form more often than the
// index holds the word as typed, in any reading, and its exact form is then the accented one.
func TestQuestionWithoutAccents(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t, map[string]string{
		"fr/du.md":     "# du\n\nLa commande du affiche la taille occupée sur le disque par chaque répertoire et par chaque fichier, en parcourant tous les sous-répertoires donnés.\n",
		"fr/ls.md":     "# ls\n\nLa commande ls affiche le contenu d'un répertoire : le nom, les droits d'accès, la taille et la date de chaque fichier, triés par nom.\n",
		"fr/cote.md":   "# Cotes\n\nLa cote de chaque document est notée dans la marge ; une cote manquante est signalée à côté du titre, et chaque cote est unique dans le fonds.\n",
		"fr/oeuvre.md": "# Registre\n\nChaque œuvre de la collection est décrite par une notice ; une œuvre prêtée reste inscrite au registre des prêts.\n",
		"fr/fonds.md":  "# Fonds\n\nChaque fonds d'archives reçoit une cote à son entrée, puis chaque boîte une cote dérivée de celle du fonds, inscrite sur son étiquette.\n",
	})
	lexemes := func(t *testing.T, text string) (stems, forms []string) {
		t.Helper()
		terms, err := b.searcher.QueryTerms(ctx, text)
		if err != nil {
			t.Fatal(err)
		}
		for _, tm := range terms {
			if tm.Exact {
				forms = append(forms, tm.Lexeme)
			} else {
				stems = append(stems, tm.Lexeme)
			}
		}
		slices.Sort(stems)
		slices.Sort(forms)
		return stems, forms
	}
	t.Run("AsWithAccents", func(t *testing.T) {
		t.Parallel()
		stems, forms := lexemes(t, "taille occupée par un répertoire, droits d'accès")
		stemsTyped, formsTyped := lexemes(t, "taille occupee par un repertoire, droits d'acces")
		for _, s := range stems {
			if !slices.Contains(stemsTyped, s) {
				t.Errorf("without accents the question asks for %q, not %s, which it asks for with them (%q)", stemsTyped, s, stems)
			}
		}
		if !slices.Equal(forms, formsTyped) {
			t.Errorf("without accents the question asks for the forms %q, with them %q", formsTyped, forms)
		}
	})
	t.Run("FindsTheAccentedPassages", func(t *testing.T) {
		t.Parallel()
		if got := lexical(t, b, "repertoire"); len(got) != 2 {
			t.Errorf("repertoire found %q, want both pages saying répertoire", got)
		}
		if got := lexical(t, b, "oeuvre"); len(got) != 1 {
			t.Errorf("oeuvre found %q, want the page saying œuvre", got)
		}
	})
	t.Run("AWordHeldAsTypedKeepsItsReading", func(t *testing.T) {
		t.Parallel()
		// "cote" (in both pages) outnumbers "côté" (in one).
		if stems, forms := lexemes(t, "cote"); !slices.Equal(stems, []string{"cot"}) || !slices.Equal(forms, []string{"=cote"}) {
			t.Errorf("cote asks for %q and %q, want only cot and =cote", stems, forms)
		}
	})
}

// TestNoFormForAnElision: the elided article of "l'accès" and the "à" of "à la" are French stop
// words, and a stop word's exact form is asked for ("=de"); theirs are not, being in nearly every
// French passage and saying nothing of what the question is about.
func TestNoFormForAnElision(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t, map[string]string{
		"fr/chmod.md": "# chmod\n\nLa commande chmod change les droits d'accès de chaque fichier donné, pour le propriétaire, le groupe et les autres utilisateurs du système, d'après le mode donné à l'appel.\n",
		"fr/ls.md":    "# ls\n\nLa commande ls affiche le contenu d'un répertoire : le nom, les droits d'accès, la taille et la date de chaque fichier, s'il y en a, triés par nom.\n",
	})
	idfs, _, _, err := b.searcher.TermIDFs(ctx, "l'accès à un fichier d'après le mode, s'il y a")
	if err != nil {
		t.Fatal(err)
	}
	for _, form := range []string{"=l", "=à", "=d", "=s", "=y"} {
		if _, ok := idfs[form]; ok {
			t.Errorf("the question asks for %s (%v): want no form of an elision or of à and y", form, idfs)
		}
	}
	for _, want := range []string{"=le", "=mode", "=fichier"} {
		if _, ok := idfs[want]; !ok {
			t.Errorf("the question asks for %v: want %s among them", idfs, want)
		}
	}
}

// TestFrenchQuestionKeepsTheLetterC: "C" standing alone in a French question is the
// language, not the elided article of "c'est": French drops it as a stop word, so its exact
// form "=c" is all that asks for it. The clitics rule meant for elisions ("l'accès") drops it
// too, and "un programme en C" then asks for "programme" alone.
func TestFrenchQuestionKeepsTheLetterC(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t, map[string]string{
		"fr/gcc.md":    "# gcc\n\nLa commande gcc compile un programme écrit en C et produit un fichier exécutable pour le système, avec les options données sur la ligne de commande ou lues dans un fichier de configuration.\n",
		"fr/python.md": "# python\n\nLa commande python exécute un programme écrit en Python et affiche son résultat sur la sortie standard du système.\n",
	})
	idfs, _, _, err := b.searcher.TermIDFs(ctx, "compiler un programme en C")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := idfs["=c"]; !ok {
		t.Errorf("the question asks for %v: want =c, the only term for the C it names", idfs)
	}
	// Without it the question cannot tell the two pages apart, and the shorter one ranks first.
	if got := lexical(t, b, "un programme écrit en C"); len(got) == 0 || got[0] != "fr/gcc.md" {
		t.Errorf("un programme écrit en C found %q, want fr/gcc.md first", got)
	}
}
