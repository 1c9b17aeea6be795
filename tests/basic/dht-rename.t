#!/bin/bash
# Renames and links across the bricks of a distribute volume (4 bricks,
# multiplexing on), made with gfcli, leave the bricks as GlusterFS's distribute
# does: the data stays on the brick that held it, the new name's hashed brick
# gets a link file (mode ---------T, empty, trusted.glusterfs.dht.linkto naming
# the data's subvolume, the file's gfid), old link files go, a replaced file is
# removed; directories are renamed on every brick, keeping gfid and layout;
# POSIX's errors (ENOTEMPTY, EISDIR, ENOTDIR, EEXIST) come back. Where a name
# hashes is found the way our create places it: files f1..f24 are made, and
# the brick each lands on is its name's hashed brick. When Debian's
# glusterfs-client is installed, the stock FUSE client mounts the volume and
# finds everything through our link files, each name listed once, and gfcli
# finds what the stock client renames.
. "$(dirname "$0")/../include.rc"
. "$(dirname "$0")/../volume.rc"

V=v
TEST glusterd_start
TEST brick_fs
B=$T_ROOT/bricks
TEST CLI volume set all cluster.brick-multiplex on
TEST mkdir -p "$B/b1" "$B/b2" "$B/b3" "$B/b4"
TEST CLI volume create $V "$H1:$B/b1" "$H1:$B/b2" "$H1:$B/b3" "$H1:$B/b4"
TEST CLI volume start $V
EXPECT_WITHIN 20 4 brick_count_online $V
EXPECT 1 gd_mux_proc_count

# The bricks (numbers 1-4, run together) holding volume path P as a data file,
# and as a link file (an empty file of mode 1000).
data_on() { # P
    local n f
    for n in 1 2 3 4; do
        f=$B/b$n/$1
        [ -f "$f" ] && [ "$(stat -c %a "$f")" != 1000 ] && printf %s "$n"
    done
    echo
}
link_on() { # P
    local n f
    for n in 1 2 3 4; do
        f=$B/b$n/$1
        [ -f "$f" ] && [ "$(stat -c %a:%s "$f")" = 1000:0 ] && printf %s "$n"
    done
    echo
}
# The bricks holding P as a directory.
dir_on() { # P
    local n
    for n in 1 2 3 4; do [ -d "$B/b$n/$1" ] && printf %s "$n"; done
    echo
}
# An xattr of brick N's copy of P, in hex.
xattr_hex() { # N P NAME
    getfattr -e hex -n "$3" "$B/b$1/$2" 2>/dev/null | sed -n "s/^$3=0x//p"
}
# The subvolume brick N's link file P names (the value without its NUL).
linkto() { # N P
    getfattr --only-values -n trusted.glusterfs.dht.linkto "$B/b$1/$2" 2>/dev/null | tr -d '\0'
}
# "yes" when the link xattr of brick N's P ends with its NUL, as GlusterFS writes it.
linkto_nul() { # N P
    case "$(xattr_hex "$1" "$2" trusted.glusterfs.dht.linkto)" in *00) echo yes ;; *) echo no ;; esac
}
client_of() { echo "$V-client-$(($1 - 1))"; } # the subvolume of brick N
words() { tr '\n' ' ' | sed 's/ *$//'; }      # lines joined with spaces
content() { GF $V get "$1" -; }               # a file's content through gfcli
gfid() { GF $V stat "$1" | sed -n 's/^gfid: //p' | tr -d -; }

# Files f1..f24, each on its name's hashed brick.
for i in $(seq 1 24); do
    TEST eval "echo 'file $i' | GF $V put - /f$i"
done
declare -A HOME_OF
for i in $(seq 1 24); do HOME_OF[$i]=$(data_on "f$i"); done
EXPECT 24 eval "for i in \$(seq 1 24); do data_on f\$i; done | grep -c '^[1-4]\$'"
# Some f<i> (i >= 4: f1..f3 have parts of their own) on brick $1; some not on
# any of the bricks given.
on_brick() {
    for i in $(seq 4 24); do [ "${HOME_OF[$i]}" = "$1" ] && { echo "$i"; return; }; done
}
off_bricks() {
    for i in $(seq 4 24); do
        case " $* " in *" ${HOME_OF[$i]} "*) ;; *) echo "$i"; return ;; esac
    done
}

A=${HOME_OF[1]}                # f1's data lives on brick A throughout
J=$(off_bricks "$A")           # f<J>: an existing file on another brick, Bj
BJ=${HOME_OF[$J]}
K=$(off_bricks "$A" "$BJ")     # f<K>: a name hashing to a third brick, Bk
BK=${HOME_OF[$K]}
M=$(on_brick "$A")             # f<M>: a name hashing to A
TEST test -n "$A" -a -n "$J" -a -n "$K" -a -n "$M"
G1=$(gfid /f1)

# 1. rename to a new name hashing to another brick: data stays, a link file is made
TEST GF $V rm /f$K
TEST GF $V rename /f1 /f$K
EXPECT "$A" data_on "f$K"
EXPECT "$BK" link_on "f$K"
EXPECT "$(client_of "$A")" linkto "$BK" "f$K"
EXPECT yes linkto_nul "$BK" "f$K"
EXPECT "$(xattr_hex "$A" "f$K" trusted.gfid)" xattr_hex "$BK" "f$K" trusted.gfid
EXPECT "$G1" gfid /f$K
EXPECT "" data_on f1
EXPECT "" link_on f1
EXPECT "file 1" content /f$K
TEST_NOT GF $V stat /f1

# 2. rename over an existing file on another brick: it is replaced, the old
#    link file goes, the new name's hashed brick gets the link file
TEST GF $V rename /f$K /f$J
EXPECT "$A" data_on "f$J"
EXPECT "$BJ" link_on "f$J"
EXPECT "$(client_of "$A")" linkto "$BJ" "f$J"
EXPECT "" link_on "f$K"
EXPECT "" data_on "f$K"
EXPECT "file 1" content /f$J
EXPECT "$G1" gfid /f$J

# 3. rename back to a name hashing to the data's brick: no link file anywhere
TEST GF $V rm /f$M
TEST GF $V rename /f$J /f$M
EXPECT "$A" data_on "f$M"
EXPECT "" link_on "f$M"
EXPECT "" link_on "f$J"
EXPECT "file 1" content /f$M

# 4. a hard link whose name hashes elsewhere: both names on A (one inode), a
#    link file on the new name's brick; the file outlives its first name
TEST GF $V link /f$M /f$K
EXPECT "$A" data_on "f$K"
EXPECT "$BK" link_on "f$K"
EXPECT "$(client_of "$A")" linkto "$BK" "f$K"
EXPECT "$(stat -c %i "$B/b$A/f$M")" stat -c %i "$B/b$A/f$K"
EXPECT "$G1" gfid /f$K
EXPECT_MATCH "File exists" GF $V link /f$K /f2
TEST GF $V rm /f$M
EXPECT "file 1" content /f$K
EXPECT "" data_on "f$M"
TEST GF $V link /f$K /f$J
EXPECT "$A" data_on "f$J"
EXPECT "$BJ" link_on "f$J"

# 5. rename into another directory
TEST GF $V mkdir /dEmpty
H3=${HOME_OF[3]}
TEST GF $V rename /f3 /dEmpty/moved3
EXPECT "$H3" data_on dEmpty/moved3
L3=$(link_on dEmpty/moved3) # none when moved3 hashes to the brick holding it
EXPECT_MATCH "^[1-4]?$" echo "$L3"
if [ -n "$L3" ]; then EXPECT "$(client_of "$H3")" linkto "$L3" dEmpty/moved3; fi
EXPECT "file 3" content /dEmpty/moved3
EXPECT "" data_on f3
TEST GF $V rename /dEmpty/moved3 /f3
EXPECT "" link_on dEmpty/moved3
EXPECT "file 3" content /f3

# 6. directories: renamed on every brick with their gfid and layout
TEST GF $V mkdir /dA
for i in 1 2 3 4 5 6; do TEST eval "echo 'inner $i' | GF $V put - /dA/x$i"; done
DG=$(xattr_hex 1 dA trusted.gfid)
LAYOUT=$(for n in 1 2 3 4; do xattr_hex $n dA trusted.glusterfs.dht; done | words)
TEST GF $V rename /dA /dB
EXPECT 1234 dir_on dB
EXPECT "" dir_on dA
EXPECT "$DG $DG $DG $DG" eval "for n in 1 2 3 4; do xattr_hex \$n dB trusted.gfid; done | words"
EXPECT "$LAYOUT" eval "for n in 1 2 3 4; do xattr_hex \$n dB trusted.glusterfs.dht; done | words"
EXPECT "inner 4" content /dB/x4
EXPECT "x1 x2 x3 x4 x5 x6" eval "GF $V ls /dB | words"
TEST GF $V mkdir /dFull
TEST eval "echo full | GF $V put - /dFull/y"
EXPECT_MATCH "Directory not empty" GF $V rename /dB /dFull
EXPECT 1234 dir_on dB
EXPECT "full" content /dFull/y
TEST GF $V rename /dB /dEmpty
EXPECT 1234 dir_on dEmpty
EXPECT "" dir_on dB
EXPECT "inner 6" content /dEmpty/x6
EXPECT_MATCH "Is a directory" GF $V rename /f2 /dFull
EXPECT_MATCH "Not a directory" GF $V rename /dFull /f2
EXPECT "full" content /dFull/y
EXPECT "file 2" content /f2

# 7. every name listed once, none of the old ones
EXPECT "" eval "GF $V ls / | sort | uniq -d"
ROOT_LIST=$(GF $V ls / | words)
EXPECT 0 eval "GF $V ls / | grep -cx -e f1 -e f$M"
EXPECT 2 eval "GF $V ls / | grep -cx -e f$K -e f$J"
# link files on the bricks at this point, to check that the stock client keeps them
links_now() { for i in $(seq 1 24); do echo "$i:$(link_on "f$i")"; done | words; }
LINKS=$(links_now)

# 8. the stock client finds the renamed and linked files through the link files
if [ -c /dev/fuse ] && command -v glusterfs >/dev/null && command -v mount.glusterfs >/dev/null; then
    MNT=$T_ROOT/mnt
    TEST mkdir -p "$MNT"
    TEST mount -t glusterfs -o "server-port=$GD_PORT,log-file=$T_ROOT/mnt.log" "$H1:/$V" "$MNT"
    EXPECT_WITHIN 20 "file 1" cat "$MNT/f$K"
    EXPECT "file 3" cat "$MNT/f3"
    EXPECT "inner 2" cat "$MNT/dEmpty/x2"
    EXPECT "full" cat "$MNT/dFull/y"
    TEST_NOT stat "$MNT/f1"
    TEST_NOT stat "$MNT/dA"
    TEST_NOT stat "$MNT/dB"
    EXPECT "$ROOT_LIST" eval "LC_ALL=C ls '$MNT' | words"
    EXPECT "" eval "ls '$MNT' | sort | uniq -d"
    EXPECT "x1 x2 x3 x4 x5 x6" eval "LC_ALL=C ls '$MNT/dEmpty' | words"
    EXPECT "$(stat -c %i "$MNT/f$K")" stat -c %i "$MNT/f$J"
    EXPECT 2 stat -c %h "$MNT/f$J"
    EXPECT "file 1" cat "$MNT/f$J"
    EXPECT "$LINKS" links_now
    # and the reverse: what the stock client renames, gfcli reads
    TEST mv "$MNT/f$K" "$MNT/f1"
    TEST mv "$MNT/dEmpty" "$MNT/dStock"
    TEST umount "$MNT"
    EXPECT "file 1" content /f1
    TEST_NOT GF $V stat /f$K
    EXPECT "inner 5" content /dStock/x5
    EXPECT "" eval "GF $V ls / | sort | uniq -d"
else
    echo "# the stock GlusterFS client (Debian: glusterfs-client) or /dev/fuse is missing: its checks are skipped"
fi
