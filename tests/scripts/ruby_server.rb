# Debian's ruby openssl extension as a TLS server: OpenSSL::SSL::SSLServer over a TCPServer on
# 127.0.0.1:PORT with CERT, KEY and CHAIN (the intermediates) from the test PKI. It accepts one
# connection, answers each line with the line reversed, and on "QUIT" sends "BYE TOKEN", closes
# with close_notify and prints a summary of what it read.
# Usage: ruby ruby_server.rb PORT CERT KEY CHAIN TOKEN
require 'socket'
require 'openssl'

port, cert, key, chain, token = ARGV
ctx = OpenSSL::SSL::SSLContext.new
ctx.cert = OpenSSL::X509::Certificate.new(File.read(cert))
ctx.key = OpenSSL::PKey.read(File.read(key))
ctx.extra_chain_cert = [OpenSSL::X509::Certificate.new(File.read(chain))]
ctx.min_version = OpenSSL::SSL::TLS1_2_VERSION

server = OpenSSL::SSL::SSLServer.new(TCPServer.new('127.0.0.1', port.to_i), ctx)
puts "READY #{port}"
STDOUT.flush
conn = server.accept
bytes = 0
lines = 0
while (line = conn.gets)
  line = line.chomp
  break if line == 'QUIT'
  bytes += line.bytesize + 1
  lines += 1
  conn.write(line.reverse + "\n")
end
conn.write("BYE #{token}\n")
puts "session #{conn.ssl_version} #{conn.cipher[0]}"
puts "received #{lines} lines #{bytes} bytes"
STDOUT.flush
conn.close
server.close
