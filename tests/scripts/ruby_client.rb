# Debian's ruby openssl extension as a TLS client: Net::HTTP GETs https://localhost:PORT/PATH
# with verify_mode PEER against CA and writes the body to OUT, then tries the same server with
# UNTRUSTED (a CA that did not issue its certificate) and reports the error. It prints DONE and
# waits for a line (or end of input) on stdin before exiting, so the test can check its maps.
# Usage: ruby ruby_client.rb PORT PATH CA UNTRUSTED OUT
require 'net/http'
require 'openssl'

port, path, ca, untrusted, out = ARGV

def get(port, path, ca)
  http = Net::HTTP.new('localhost', port.to_i)
  http.use_ssl = true
  http.verify_mode = OpenSSL::SSL::VERIFY_PEER
  http.ca_file = ca
  http.open_timeout = 10
  http.read_timeout = 10
  http.start do |h|
    response = h.get("/#{path}")
    ssl = h.instance_variable_get(:@socket).io
    [response, ssl.ssl_version, ssl.peer_cert.subject.to_s]
  end
end

response, version, subject = get(port, path, ca)
File.binwrite(out, response.body)
puts "status #{response.code} #{version} peer #{subject}"
begin
  get(port, path, untrusted)
  puts 'untrusted: accepted'
rescue OpenSSL::SSL::SSLError => e
  puts "untrusted: #{e.class}: #{e.message}"
end
puts 'DONE'
STDOUT.flush
STDIN.gets
