#!/bin/bash
# `volume status VOL clients` lists every client connection of each brick, as GlusterFS does
# (Hostname, BytesRead, BytesWritten, OpVersion), from the STATUS of the brick's process. Two
# volumes whose bricks share one glusterfsd each get a client (gfcli, kept connected by a
# put that reads from a FIFO): each brick lists its own client only, at the address of that
# client's socket as the system shows it (ss), with the op-version it gave; its byte counts
# grow by at least what the client writes; --xml gives the same; a client that leaves is no
# longer listed. When the stock GlusterFS client is installed (and /dev/fuse is there), a FUSE
# mount of a third volume is listed likewise, with the op-version it gave.
. "$(dirname "$0")/../include.rc"
. "$(dirname "$0")/../volume.rc"

# Rows of the clients table of VOL: "HOST:PORT READ WRITTEN OPVERSION", one per client.
client_rows() {
    CLI volume status "$1" clients 2>/dev/null | awk 'NF == 4 && $1 ~ /:[0-9]+$/'
}

# Field N (1 host, 2 bytes read, 3 bytes written, 4 op-version) of VOL's client rows.
client_field() { client_rows "$1" | awk -v n="$2" '{print $n}' | paste -sd' '; }

clients_connected() {
    CLI volume status "$1" clients 2>/dev/null | awk -F' : ' '/^Clients connected/ {print $2}'
}

# The local address of pid's established TCP connections to the brick port, as ss shows them.
socket_of() {
    ss -tnpH state established "( dport = :$port )" | grep "pid=$1," | awk '{print $3}' |
        paste -sd' '
}

# "yes" when field N of VOL's single client row is at least MIN.
field_at_least() { # VOL N MIN
    local v
    v=$(client_field "$1" "$2")
    [ -n "$v" ] && [ "$v" -ge "$3" ] && echo yes || echo no
}

# "yes" while pid runs.
alive() { _t_alive "$1" && echo yes || echo no; }

# Starts `gfcli VOL put FIFO /NAME` reading from a new FIFO that the shell holds open on fd FD
# (7 or 8; read-write, so that neither side blocks on opening it); sets CLIENT_PID. The client
# gets neither fd, so that it sees the end of its input when the shell closes FD.
start_client() { # VOL NAME FD
    mkfifo "$T_ROOT/fifo-$2"
    eval "exec $3<>\"\$T_ROOT/fifo-\$2\""
    "$GFCLI" -s "$H1:$GD_PORT" "$1" put "$T_ROOT/fifo-$2" "/$2" 7>&- 8>&- &
    CLIENT_PID=$!
    t_track_pid "$CLIENT_PID"
}

TEST glusterd_start
TEST brick_fs
B=$T_ROOT/bricks
TEST mkdir -p "$B/a1" "$B/b1"
TEST CLI volume create va "$H1:$B/a1"
TEST CLI volume create vb "$H1:$B/b1"
TEST CLI volume start va
TEST CLI volume start vb
EXPECT_WITHIN 20 1 brick_count_online va
EXPECT_WITHIN 20 1 brick_count_online vb
EXPECT 1 gd_mux_proc_count
port=$(gd_mux_status_ports va)
EXPECT "$port" gd_mux_status_ports vb

# Nobody connected yet: the count, no table.
EXPECT 0 clients_connected va
EXPECT 0 eval "CLI volume status va clients | grep -c '^Hostname'"

# A client on each volume, kept connected.
start_client va fa 7
pid_a=$CLIENT_PID
start_client vb fb 8
pid_b=$CLIENT_PID
EXPECT_WITHIN 20 1 clients_connected va
EXPECT_WITHIN 20 1 clients_connected vb
addr_a=$(socket_of "$pid_a")
addr_b=$(socket_of "$pid_b")
EXPECT_MATCH '^127\.[0-9.]+:[0-9]+$' echo "$addr_a"
EXPECT_MATCH '^127\.[0-9.]+:[0-9]+$' echo "$addr_b"

# Each brick lists its own client, at the address of that client's socket.
EXPECT "$addr_a" client_field va 1
EXPECT "$addr_b" client_field vb 1
EXPECT 1 eval "CLI volume status va clients | grep -c '^Hostname  *BytesRead  *BytesWritten  *OpVersion\$'"
EXPECT_MATCH "^Brick : $H1:$B/a1\$" CLI volume status va clients
EXPECT 100000 client_field va 4
EXPECT 100000 client_field vb 4
# The handshake and the create of the file are counted already.
EXPECT yes field_at_least va 2 1
EXPECT yes field_at_least va 3 1

# What the client writes reaches the brick in a WRITE: its bytes read grow by at least that.
read0=$(client_field va 2)
written0=$(client_field va 3)
other0=$(client_field vb 2)
head -c 4096 /dev/urandom > "$T_ROOT/data"
cat "$T_ROOT/data" >&7
EXPECT_WITHIN 20 yes field_at_least va 2 $((read0 + 4096))
EXPECT yes field_at_least va 3 $((written0 + 1))
# The other brick's client wrote nothing of that.
EXPECT no field_at_least vb 2 $((other0 + 4096))

# The same as XML, in GlusterFS's elements.
xml_a=$(CLI --xml volume status va clients)
EXPECT 1 eval "echo \"\$xml_a\" | grep -c '<clientCount>1</clientCount>'"
EXPECT 1 eval "echo \"\$xml_a\" | grep -c '<hostname>$addr_a</hostname>'"
EXPECT 0 eval "echo \"\$xml_a\" | grep -c '<hostname>$addr_b</hostname>'"
EXPECT 1 eval "echo \"\$xml_a\" | grep -c '<opVersion>100000</opVersion>'"
EXPECT 1 eval "echo \"\$xml_a\" | grep -Ec '<bytesRead>[1-9][0-9]*</bytesRead>'"
EXPECT 1 eval "echo \"\$xml_a\" | grep -Ec '<bytesWrite>[1-9][0-9]*</bytesWrite>'"

# The client ends (EOF on its FIFO) with the data in place, and is no longer listed.
exec 7>&-
EXPECT_WITHIN 20 no alive "$pid_a"
wait "$pid_a"
EXPECT 0 echo $?
EXPECT_WITHIN 20 0 clients_connected va
EXPECT "" client_rows va
TEST GF va get /fa "$T_ROOT/fa.back"
TEST cmp "$T_ROOT/data" "$T_ROOT/fa.back"
EXPECT "$addr_b" client_field vb 1
exec 8>&-
EXPECT_WITHIN 20 no alive "$pid_b"
wait "$pid_b"
EXPECT 0 echo $?
EXPECT_WITHIN 20 0 clients_connected vb

# The stock GlusterFS FUSE client, when installed.
if [ -c /dev/fuse ] && command -v glusterfs >/dev/null && command -v mount.glusterfs >/dev/null; then
    TEST mkdir -p "$B/c1" "$T_ROOT/mnt"
    TEST CLI volume create vc "$H1:$B/c1"
    TEST CLI volume start vc
    EXPECT_WITHIN 20 1 brick_count_online vc
    TEST stock_mount vc "$T_ROOT/mnt"
    EXPECT_WITHIN 20 yes stock_mounted "$T_ROOT/mnt"
    EXPECT_WITHIN 20 1 clients_connected vc
    addr_c=$(socket_of "$(stock_client_pid "$T_ROOT/mnt")")
    EXPECT "$addr_c" client_field vc 1
    EXPECT yes field_at_least vc 4 1
    EXPECT 0 clients_connected va
    TEST umount "$T_ROOT/mnt"
    EXPECT_WITHIN 20 0 clients_connected vc
else
    echo "# the stock GlusterFS client part is skipped: no /dev/fuse or no glusterfs client"
fi
