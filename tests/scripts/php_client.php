<?php
// Debian's php8.2 openssl extension as a TLS client, against two stock openssl s_server:
// - stream_socket_client('ssl://127.0.0.1:REV') with verify_peer, cafile and peer_name to an
//   `s_server -rev`: sends the lines of LINES, reads each back reversed into OUT.rev, says CLOSE;
//   then the same connection with UNTRUSTED as cafile, which must be refused;
// - file_get_contents('https://localhost:WWW/PATH') with the CA in the context, from an
//   `s_server -WWW`: the body goes to OUT.www.
// It prints DONE and waits for a line (or end of input) on stdin before exiting, so the test
// can check its maps.
// Usage: php php_client.php REV WWW PATH CA UNTRUSTED LINES OUT
[, $rev, $www, $path, $ca, $untrusted, $linesFile, $out] = $argv;

function connect($port, $cafile)
{
    $ctx = stream_context_create(['ssl' => [
        'cafile' => $cafile,
        'peer_name' => 'localhost',
        'verify_peer' => true,
    ]]);
    return stream_socket_client("ssl://127.0.0.1:$port", $errno, $errstr, 10,
        STREAM_CLIENT_CONNECT, $ctx);
}

$s = connect($rev, $ca);
if (!$s) {
    fwrite(STDERR, "connect failed: " . (error_get_last()['message'] ?? '?') . "\n");
    exit(1);
}
$crypto = stream_get_meta_data($s)['crypto'];
echo "stream {$crypto['protocol']} {$crypto['cipher_name']}\n";
$echoed = '';
foreach (file($linesFile, FILE_IGNORE_NEW_LINES) as $line) {
    fwrite($s, "$line\n");
    $echoed .= fgets($s);
}
fwrite($s, "CLOSE\n");
$rest = stream_get_contents($s);
fclose($s);
file_put_contents("$out.rev", $echoed);
echo "after CLOSE: " . strlen($rest) . " bytes\n";

$warnings = [];
set_error_handler(function ($no, $message) use (&$warnings) {
    $warnings[] = str_replace("\n", ' ', $message);
    return true;
});
$bad = connect($rev, $untrusted);
restore_error_handler();
echo "untrusted: " . ($bad ? 'accepted' : implode(' | ', $warnings)) . "\n";

$ctx = stream_context_create(['ssl' => ['cafile' => $ca, 'verify_peer' => true]]);
$body = file_get_contents("https://localhost:$www/$path", false, $ctx);
if ($body === false) {
    fwrite(STDERR, "file_get_contents failed: " . (error_get_last()['message'] ?? '?') . "\n");
    exit(1);
}
echo "https {$http_response_header[0]}\n";
file_put_contents("$out.www", $body);
echo "DONE\n";
fgets(STDIN);
