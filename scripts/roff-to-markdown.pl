#!/usr/bin/perl
# roff-to-markdown.pl OUT_DIR ROOT PAGE.gz... writes each manual page under ROOT as
# OUT_DIR/<its path below ROOT, .gz dropped>.md: the roff markup stripped (fonts, escapes,
# requests), section headings as Markdown headings, paragraphs separated by blank lines. Fast
# and approximate, not a renderer: tables and equations come out as their text. Pages that
# only include another (".so") are skipped: they are the same text under a second name. The
# characters Markdown would read as markup (<file> as an HTML tag, *.c as emphasis) are
# escaped, and no-fill lines lose their indentation (it would make them code blocks, where
# escapes show).
use strict;
use warnings;
use File::Basename qw(dirname);
use File::Path qw(make_path);

my ($out, $root, @pages) = @ARGV;
my %glyph = (em => '—', en => '–', bu => '•', aq => "'", dq => '"', lq => '“', rq => '”',
	oq => '‘', cq => '’', co => '©', rg => '®', tm => '™', hy => '-', mi => '-', pl => '+',
	mu => '×', di => '÷', '<=' => '≤', '>=' => '≥', '->' => '→', '<-' => '←', de => '°',
	'**' => '*', ga => '`', ha => '^', ti => '~', rs => '\\', sl => '/', ba => '|', br => '|');

sub inline {
	local $_ = shift;
	s/\\".*//;                                  # comment
	s/\\\((..)/exists $glyph{$1} ? $glyph{$1} : ''/ge;
	s/\\\[([^\]]*)\]/exists $glyph{$1} ? $glyph{$1} : ''/ge;
	s/\\f(?:\(..|\[[^\]]*\]|.)//g;              # font changes
	s/\\\*(?:\(..|\[[^\]]*\]|.)//g;             # strings
	s/\\[sS][+-]?(?:\d|\(\d\d|\[[^\]]*\])//g;   # size changes
	s/\\[hvwlLxXoDbnkMm](?:'[^']*'|\[[^\]]*\]|\(..|.)?//g;
	s/\\[-]/-/g;
	s/\\[e\\]/\\/g;
	s/\\[&|^:%cdu0~ ,\/!{}zpt]//g;
	s/\\(.)/$1/g;
	return $_;
}

sub md { local $_ = shift; s/([\\<*`])/\\$1/g; return $_ }

PAGE: for my $page (@pages) {
	open(my $in, '-|', 'gzip', '-dc', '--', $page) or next;
	my @lines = <$in>;
	close $in;
	next if grep({ /^\.so\s/ } @lines[0 .. ($#lines < 5 ? $#lines : 5)]);
	my (@md, $para, $title);
	my $section = '';
	my $flush = sub { push @md, $para, '' if defined $para && $para =~ /\S/; undef $para };
	my $text = sub { my $t = shift; return unless $t =~ /\S/; $para = defined $para ? "$para $t" : $t };
	my $nofill = 0;
	for my $line (@lines) {
		chomp $line;
		if ($line =~ /^[.']\s*(\S+)\s*(.*)$/) {
			my ($req, $args) = ($1, $2);
			next if $req =~ /^\\"/;
			if ($req eq 'SH' || $req eq 'SS' || $req eq 'Sh' || $req eq 'Ss') {
				$flush->();
				(my $h = inline($args)) =~ s/^"|"$//g;
				$section = uc $h;
				push @md, ($req =~ /^S[Hh]$/ ? '## ' : '### ') . md($h), '' if $h =~ /\S/;
			} elsif ($req =~ /^(?:PP|P|LP|TP|IP|HP|sp|br|Pp|Bl|El|It|RS|RE|TS|TE|nf|fi|EX|EE|in|ti)$/) {
				$flush->();
				$nofill = 1 if $req =~ /^(nf|EX|TS)$/;
				$nofill = 0 if $req =~ /^(fi|EE|TE)$/;
				$text->(md(inline($args =~ s/^"|"\s.*$|"$//gr))) if $req eq 'IP' && $args =~ /\S/;
			} elsif ($req =~ /^(?:B|I|SM|SB|BR|RB|IR|RI|BI|IB|Nm|Nd|Ar|Fl|Cm|Xr|Pa|Li|Em|Sy|Dq|Sq|Ql|Va|Fn|Fa|Ev|Er|Ic|Op|UR|MT|Lk|Mt)$/) {
				my @w = ($args =~ /"([^"]*)"|(\S+)/g);
				my $sep = $req =~ /^(?:BR|RB|IR|RI|BI|IB)$/ ? '' : ' ';
				my $t = join($sep, map { inline($_) } grep { defined } @w);
				$t = "-$t" if $req eq 'Fl';
				$text->(md($t));
			} elsif ($req eq 'TH' || $req eq 'Dt') {
				my @w = ($args =~ /"([^"]*)"|(\S+)/g);
				@w = grep { defined } @w;
				$title = lc(inline($w[0] // '')) . '(' . inline($w[1] // '') . ')';
			}
			# every other request (.de, .if, .ds, .nh, .ad, ...) is dropped
			next;
		}
		my $t = md(inline($line));
		if ($nofill) { $flush->(); $t =~ s/^\s+//; push @md, $t } else { $text->($t) }
	}
	$flush->();
	my $body = join("\n", @md);
	next unless $body =~ /\w/;
	(my $rel = substr($page, length $root)) =~ s{^/+}{};
	$rel =~ s/\.gz$//;
	my $file = "$out/$rel.md";
	make_path(dirname($file));
	open(my $fh, '>', $file) or die "$file: $!";
	print $fh '# ', ($title // $rel), "\n\n", $body, "\n";
	close $fh;
}
