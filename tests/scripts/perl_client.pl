# Debian's LWP::UserAgent (LWP::Protocol::https over IO::Socket::SSL and Net::SSLeay) as a TLS
# client: GETs https://localhost:PORT/PATH with SSL_ca_file CA and verify_hostname, writes the
# body to OUT, then tries the same server with UNTRUSTED (a CA that did not issue its
# certificate) and reports the error. It prints DONE and waits for a line (or end of input) on
# stdin before exiting, so the test can check its maps.
# Usage: perl perl_client.pl PORT PATH CA UNTRUSTED OUT
use strict;
use warnings;
use LWP::UserAgent;

my ($port, $path, $ca, $untrusted, $out) = @ARGV;
$| = 1;

sub get {
    my ($cafile) = @_;
    my $ua = LWP::UserAgent->new(
        timeout  => 10,
        ssl_opts => { SSL_ca_file => $cafile, verify_hostname => 1 },
    );
    return $ua->get("https://localhost:$port/$path");
}

my $r = get($ca);
die "GET failed: " . $r->status_line . "\n" . $r->decoded_content . "\n" unless $r->is_success;
open(my $fh, '>:raw', $out) or die "cannot write $out: $!\n";
print $fh $r->content;
close($fh);
print "status ", $r->status_line, " ", $r->header('Client-SSL-Version'), " peer ",
    $r->header('Client-SSL-Cert-Subject'), "\n";

my $bad = get($untrusted);
my ($detail) = grep { /SSL connect attempt failed/ } split /\n/, $bad->content;
print "untrusted: ", $bad->status_line, " [", $detail // 'no detail', "]\n";
print "DONE\n";
<STDIN>;
