#!/bin/bash
# TLS on the I/O path (doc/tls.md): a volume with server.ssl and client.ssl on serves
# data over TLS, which openssl s_client confirms from outside (a verified handshake
# with the brick's port, the brick presenting the volume's certificate); a client
# whose certificate another CA signed, a plain client and a TLS client at a plain
# brick are refused, each side saying why; auth.ssl-allow admits certificate names;
# a TLS volume and a plain volume get two brick processes (counted from /proc).
. "$(dirname "$0")/../include.rc"
. "$(dirname "$0")/../volume.rc"

C=$T_ROOT/tls
TEST tls_certs "$C" ca node1
TEST tls_certs "$C" other rogue

TEST glusterd_start
TEST brick_fs
B=$T_ROOT/bricks
TEST mkdir -p "$B/t1" "$B/p1"
TEST CLI volume create tv "$H1:$B/t1"
TEST CLI volume create pv "$H1:$B/p1"
for v in tv pv; do
    TEST CLI volume set $v ssl.own-cert "$C/node1.pem"
    TEST CLI volume set $v ssl.private-key "$C/node1.key"
    TEST CLI volume set $v ssl.ca-list "$C/ca.pem"
done
TEST CLI volume set tv server.ssl on
TEST CLI volume set tv client.ssl on
TEST CLI volume start tv
TEST CLI volume start pv
EXPECT_WITHIN 20 1 brick_count_online tv
EXPECT_WITHIN 20 1 brick_count_online pv

# A TLS brick and a plain one cannot share a process.
EXPECT 2 gd_mux_proc_count
tport=$(gd_mux_status_ports tv)
pport=$(gd_mux_status_ports pv)

# From outside: the brick's port completes a verified TLS handshake and presents
# the volume's certificate; a certificate of another CA is refused by the brick.
EXPECT_MATCH "Verification: OK" tls_probe "$H1:$tport" "$C/node1" "$C/ca.pem"
EXPECT_MATCH "Peer certificate: CN = node1" tls_probe "$H1:$tport" "$C/node1" "$C/ca.pem"
TLS_TO_PLAIN="the peer speaks TLS, not plain RPC \(server.ssl is off here"
PLAIN_TO_TLS="TLS handshake failed with [0-9.:]+: the peer speaks plain RPC, not TLS \(client.ssl"
n=$(tls_log_count "$TLS_TO_PLAIN")
TEST_NOT tls_probe "$H1:$pport" "$C/node1" "$C/ca.pem"
EXPECT_WITHIN 5 yes tls_log_grew "$TLS_TO_PLAIN" "$n"
tls_probe "$H1:$tport" "$C/rogue" "$C/ca.pem" > /dev/null
EXPECT_WITHIN 5 yes tls_log_grew "TLS handshake failed with [0-9.:]+: the peer's certificate is refused" 0

# Data goes through TLS both ways.
TEST dd if=/dev/urandom of="$T_ROOT/big" bs=1M count=8 status=none
TEST GF tv put "$T_ROOT/big" /big
TEST GF tv get /big "$T_ROOT/big.back"
EXPECT "$(sha256sum < "$T_ROOT/big")" eval "sha256sum < '$T_ROOT/big.back'"

# A plain client at the TLS brick: refused, both sides say why.
TEST CLI volume set tv client.ssl off
TEST_NOT GF -l "$T_ROOT/plain.log" tv stat /big
EXPECT_MATCH "speaks TLS, not plain RPC \(client.ssl is off here" cat "$T_ROOT/plain.log"
EXPECT_WITHIN 5 yes tls_log_grew "$PLAIN_TO_TLS" 0
TEST CLI volume set tv client.ssl on
EXPECT_MATCH "8388608" GF tv stat /big

# A TLS client at the plain brick: refused, both sides say why.
TEST CLI volume set pv client.ssl on
n=$(tls_log_count "$TLS_TO_PLAIN")
TEST_NOT GF -l "$T_ROOT/tls.log" pv stat /
EXPECT_MATCH "it speaks plain RPC, not TLS \(server.ssl is off on the server\?\)" cat "$T_ROOT/tls.log"
EXPECT_WITHIN 5 yes tls_log_grew "$TLS_TO_PLAIN" "$n"

# auth.ssl-allow: the certificate's name must be on the list.
TEST CLI volume set tv auth.ssl-allow "someone,else"
EXPECT_WITHIN 10 "" eval "GF tv stat /big 2>/dev/null | grep -o 8388608"
EXPECT_WITHIN 5 yes tls_log_grew "TLS name 'node1' is not in" 0
TEST CLI volume set tv auth.ssl-allow "node*"
EXPECT_WITHIN 10 "8388608" eval "GF tv stat /big 2>/dev/null | grep -o 8388608"
