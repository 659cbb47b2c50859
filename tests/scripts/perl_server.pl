# Debian's IO::Socket::SSL (Net::SSLeay) as a TLS server on 127.0.0.1:PORT with CERT (the leaf
# followed by the intermediates) and KEY from the test PKI. It accepts one connection, answers
# each line with the line reversed, and on "QUIT" sends "BYE TOKEN", closes with close_notify
# and prints a summary of what it read.
# Usage: perl perl_server.pl PORT CHAIN KEY TOKEN
use strict;
use warnings;
use IO::Socket::SSL;

my ($port, $chain, $key, $token) = @ARGV;
my $server = IO::Socket::SSL->new(
    LocalAddr       => '127.0.0.1',
    LocalPort       => $port,
    Listen          => 5,
    ReuseAddr       => 1,
    SSL_server      => 1,
    SSL_cert_file   => $chain,
    SSL_key_file    => $key,
    SSL_version     => 'SSLv23:!SSLv3:!TLSv1:!TLSv1_1',
) or die "cannot listen: $! $SSL_ERROR\n";
$| = 1;
print "READY $port\n";
my $conn = $server->accept or die "accept failed: $SSL_ERROR\n";
my $bytes = 0;
my $lines = 0;
while (defined(my $line = <$conn>)) {
    chomp $line;
    last if $line eq 'QUIT';
    $bytes += length($line) + 1;
    $lines++;
    print $conn scalar(reverse $line), "\n";
}
print $conn "BYE $token\n";
print "session ", $conn->get_sslversion, " ", $conn->get_cipher, "\n";
print "received $lines lines $bytes bytes\n";
$conn->close(SSL_fast_shutdown => 1) or die "close failed: $SSL_ERROR\n";
$server->close;
