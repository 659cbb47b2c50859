"""sslyze's session resumption scan (TLS 1.2: five resumptions by session id, one by ticket)
against 127.0.0.1:PORT; prints one line per kind: `ids RESULT N/M` and `tickets RESULT`."""
import sys

from sslyze import ScanCommand, Scanner, ServerNetworkLocation, ServerScanRequest

location = ServerNetworkLocation(hostname="localhost", ip_address="127.0.0.1", port=int(sys.argv[1]))
scanner = Scanner()
scanner.queue_scans(
    [ServerScanRequest(server_location=location, scan_commands={ScanCommand.SESSION_RESUMPTION})]
)
for result in scanner.get_results():
    attempt = result.scan_result.session_resumption
    if attempt.result is None:
        sys.exit(f"scan failed: {attempt.error_reason}\n{attempt.error_trace}")
    r = attempt.result
    print(
        "ids",
        r.session_id_resumption_result.name,
        f"{r.session_id_successful_resumptions_count}/{r.session_id_attempted_resumptions_count}",
    )
    print("tickets", r.tls_ticket_resumption_result.name)
