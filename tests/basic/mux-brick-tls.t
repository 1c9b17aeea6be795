#!/bin/bash
# Per-brick TLS name rules inside one brick process: two TLS volumes with the same
# TLS material share a process (counted from /proc and ss); the certificate name a
# client proves opens the brick whose auth.ssl-allow lists it and is refused by the
# brick of the other volume, in the same process, which keeps serving the first.
. "$(dirname "$0")/../include.rc"
. "$(dirname "$0")/../volume.rc"

C=$T_ROOT/tls
TEST tls_certs "$C" ca node1
TEST glusterd_start
TEST brick_fs
B=$T_ROOT/bricks
TEST mkdir -p "$B/a" "$B/b"
for v in a b; do
    TEST CLI volume create v$v "$H1:$B/$v"
    TEST CLI volume set v$v ssl.own-cert "$C/node1.pem"
    TEST CLI volume set v$v ssl.private-key "$C/node1.key"
    TEST CLI volume set v$v ssl.ca-list "$C/ca.pem"
    TEST CLI volume set v$v server.ssl on
    TEST CLI volume set v$v client.ssl on
done
TEST CLI volume set va auth.ssl-allow "node*"
TEST CLI volume set vb auth.ssl-allow "someone, else"
TEST CLI volume start va
TEST CLI volume start vb
EXPECT_WITHIN 20 1 brick_count_online va
EXPECT_WITHIN 20 1 brick_count_online vb

# One process, one port, for both bricks.
EXPECT 1 gd_mux_proc_count
EXPECT 1 gd_mux_port_count
EXPECT "$(gd_mux_status_pids va)" gd_mux_status_pids vb

echo data > "$T_ROOT/f"
TEST GF va put "$T_ROOT/f" /f
EXPECT_MATCH "^size: 5$" GF va stat /f
TEST_NOT GF vb put "$T_ROOT/f" /f
EXPECT_WITHIN 5 yes tls_log_grew "TLS name 'node1' is not in auth.login.$B/b.ssl-allow" 0
TEST [ ! -e "$B/b/f" ]
EXPECT_MATCH "^size: 5$" GF va stat /f
EXPECT 1 gd_mux_proc_count
