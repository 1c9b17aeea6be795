#!/usr/bin/env python3
"""A small client of the GlusterFS 4.x FOP program, for the fops-*.t tests.

It speaks the wire as doc/protocol.md describes it (ONC RPC with record marking,
AUTH_GLUSTERFS_v3 credentials, gfx structures and typed dicts), written from that
document, so that the brick is checked against the protocol rather than against
our own client code.

    fops-wire.py HOST GD_PORT VOLUME BRICK_PATH SCENARIO

finds the brick's port with portmap, the volume's login in its client volfile
(GETSPEC), binds with SETVOLUME, and runs SCENARIO (a function below). It exits
0 when every check of the scenario holds; otherwise it prints what differed.
"""
import os
import socket
import struct
import sys
import uuid

HNDSK, PMAP, FOP = (14398633, 2), (34123456, 1), (1298437, 400)
AUTH_V2, AUTH_V3 = 390039, 390040
ROOT = b"\0" * 15 + b"\1"
ANON_FD = -2

# fops.def numbers of the procedures used here
LOOKUP, READLINK, MKNOD, MKDIR, UNLINK, RMDIR, SYMLINK, RENAME, LINK = 27, 2, 3, 4, 5, 6, 7, 8, 9
OPEN, READ, WRITE, FSYNC, SETXATTR, GETXATTR, OPENDIR, FSYNCDIR = 11, 12, 13, 16, 17, 18, 20, 21
CREATE, LK, INODELK, ENTRYLK, XATTROP, FXATTROP, FGETXATTR = 23, 26, 29, 31, 33, 34, 35
RELEASEDIR, FREMOVEXATTR, FALLOCATE, DISCARD, ZEROFILL, SEEK, COMPOUND = 42, 43, 44, 45, 46, 48, 49

ENOENT, EBADF, EAGAIN, EEXIST, EISDIR, EINVAL = 2, 9, 11, 17, 21, 22
ENODATA, ENOTEMPTY, ENXIO, EPERM = 61, 39, 6, 1


class Fail(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Fail(what)


def equal(got, want, what):
    if got != want:
        raise Fail("%s: got %r, want %r" % (what, got, want))


# ---- XDR ----------------------------------------------------------------------------------

def pad(b):
    return b + b"\0" * (-len(b) % 4)


def u32(v):
    return struct.pack(">I", v & 0xffffffff)


def i32(v):
    return struct.pack(">i", v)


def u64(v):
    return struct.pack(">Q", v & 0xffffffffffffffff)


def i64(v):
    return struct.pack(">q", v)


def opaque(b):
    return u32(len(b)) + pad(b)


def string(s):
    return opaque(s.encode() if isinstance(s, str) else s)


def gfx_dict(pairs=None):
    """pairs: list of (key, type, value); None is the absent dict."""
    if pairs is None:
        return u32(0) + i32(-1) + u32(0)
    body = b""
    for key, typ, val in pairs:
        body += opaque(key.encode() + b"\0") + i32(typ)
        if typ in (2, 3):        # INT, UINT
            body += u64(val)
        elif typ == 7:           # GFUUID
            body += val
        else:                    # STR (with its NUL), PTR, STR_OLD
            body += opaque(val)
    return u32(len(body)) + i32(len(pairs)) + u32(len(pairs)) + body


def old_dict(d):
    out = u32(len(d))
    for k, v in d.items():
        v = v.encode() + b"\0"
        out += u32(len(k)) + u32(len(v)) + k.encode() + b"\0" + v
    return out


class Reader:
    def __init__(self, data):
        self.b, self.p = data, 0

    def take(self, n):
        check(self.p + n <= len(self.b), "reply shorter than its structure")
        v = self.b[self.p:self.p + n]
        self.p += n
        return v

    def u32(self):
        return struct.unpack(">I", self.take(4))[0]

    def i32(self):
        return struct.unpack(">i", self.take(4))[0]

    def u64(self):
        return struct.unpack(">Q", self.take(8))[0]

    def i64(self):
        return struct.unpack(">q", self.take(8))[0]

    def opaque(self):
        n = self.u32()
        v = self.take(n)
        self.take(-n % 4)
        return v

    def fixed(self, n):
        return self.take(n)

    def dict(self):
        self.u32()
        count = self.i32()
        n = self.u32()
        check(count == -1 and n == 0 or count == n, "gfx_dict count")
        out = {}
        for _ in range(n):
            key = self.opaque().rstrip(b"\0").decode()
            typ = self.i32()
            if typ in (2, 3):
                out[key] = self.u64()
            elif typ == 4:
                out[key] = self.take(8)
            elif typ == 7:
                out[key] = self.fixed(16)
            elif typ == 8:
                out[key] = self.iatt()
            elif typ == 9:
                out[key] = self.take(36)
            else:
                out[key] = self.opaque()
        return out if count >= 0 else None

    def iatt(self):
        gfid = self.fixed(16)
        flags, ino, dev, rdev, size, blocks, _, _ = struct.unpack(">8Q", self.take(64))
        self.take(32)  # times
        vals = struct.unpack(">9I", self.take(36))
        return {"gfid": gfid, "ino": ino, "size": size, "blocks": blocks, "nlink": vals[4],
                "uid": vals[5], "gid": vals[6], "mode": vals[8], "flags": flags}

    def head(self):
        return self.i32(), self.i32(), self.dict()


# ---- RPC ------------------------------------------------------------------------------------

class Conn:
    """One connection; calls are synchronous unless sent with send() and read with recv()."""

    def __init__(self, host, port, owner=b"", pid=4242):
        self.s = socket.create_connection((host, port), timeout=10)
        self.xid, self.owner, self.pid = 1, owner or os.urandom(8), pid

    def cred(self, flavor):
        groups = u32(0)
        if flavor == AUTH_V3:
            body = i32(self.pid) + u32(0) + u32(0) + u32(0) + u32(0) + u64(0) + groups
        else:
            body = i32(self.pid) + u32(0) + u32(0) + groups
        return u32(flavor) + opaque(body + opaque(self.owner))

    def send(self, prog, proc, args, flavor=AUTH_V3):
        self.xid += 1
        msg = (u32(self.xid) + u32(0) + u32(2) + u32(prog[0]) + u32(prog[1]) + u32(proc) +
               self.cred(flavor) + u32(0) + u32(0) + args)
        self.s.sendall(u32(0x80000000 | len(msg)) + msg)
        return self.xid

    def record(self, timeout):
        self.s.settimeout(timeout)
        data = b""
        while True:
            mark = struct.unpack(">I", self.exactly(4))[0]
            data += self.exactly(mark & 0x7fffffff)
            if mark & 0x80000000:
                return data

    def exactly(self, n):
        out = b""
        while len(out) < n:
            chunk = self.s.recv(n - len(out))
            if not chunk:
                raise Fail("connection closed by the server")
            out += chunk
        return out

    def recv(self, timeout=10):
        """(xid, accept_stat, Reader over the results)."""
        r = Reader(self.record(timeout))
        xid, mtype, stat = r.u32(), r.u32(), r.u32()
        check(mtype == 1 and stat == 0, "not an accepted reply")
        r.u32()
        r.opaque()  # verifier
        return xid, r.u32(), r

    def call(self, prog, proc, args, flavor=AUTH_V3):
        xid = self.send(prog, proc, args, flavor)
        got, accept, r = self.recv()
        equal(got, xid, "reply xid")
        return accept, r

    def fop(self, proc, args):
        accept, r = self.call(FOP, proc, args)
        equal(accept, 0, "accept_stat of fop %d" % proc)
        return r

    def close(self):
        self.s.close()


def locate(env):
    """(brick port, client volfile options) of env's brick, from glusterd."""
    host, gd_port, vol, brick = env
    gd = Conn(host, gd_port)
    accept, r = gd.call(PMAP, 1, string(brick), AUTH_V2)
    equal((accept, r.i32()), (0, 0), "portmap")
    r.i32()
    r.i32()
    port = r.i32()
    accept, r = gd.call(HNDSK, 2, u32(0) + string(vol) + opaque(b""), AUTH_V2)
    r.i32()
    r.i32()
    spec = r.opaque().decode()
    gd.close()
    opts = dict(l.split()[1:3] for l in spec.splitlines() if l.strip().startswith("option ")
                and len(l.split()) >= 3)
    return port, opts


def brick_conn(env, owner=b""):
    host, gd_port, vol, brick = env
    port, opts = locate(env)
    c = Conn(host, port, owner)
    d = old_dict({"remote-subvolume": brick, "process-uuid": "wire-%s" % uuid.uuid4(),
                  "username": opts.get("username", ""), "password": opts.get("password", "")})
    accept, r = c.call(HNDSK, 1, opaque(d), AUTH_V2)
    equal((accept, r.i32()), (0, 0), "SETVOLUME")
    return c


# ---- fops -----------------------------------------------------------------------------------

def gfid_req():
    g = uuid.uuid4().bytes
    return g, [("gfid-req", 7, g)]


def lookup(c, pargfid, name, xdata=None):
    r = c.fop(LOOKUP, b"\0" * 16 + pargfid + u32(0) + string(name) + gfx_dict(xdata))
    ret, err, x = r.head()
    st = r.iatt()
    r.iatt()
    return ret, err, st, x


def mkdir(c, pargfid, name, mode=0o755):
    g, x = gfid_req()
    r = c.fop(MKDIR, pargfid + u32(mode) + u32(0o022) + string(name) + gfx_dict(x))
    ret, err, _ = r.head()
    return ret, err, g


def create(c, pargfid, name, flags=2, mode=0o644):
    g, x = gfid_req()
    r = c.fop(CREATE, pargfid + u32(flags) + u32(mode) + u32(0) + string(name) + gfx_dict(x))
    ret, err, _ = r.head()
    st = r.iatt()
    fd = r.u64()
    return ret, err, st["gfid"] if ret == 0 else g, fd


def open_(c, gfid, flags=2):
    r = c.fop(OPEN, gfid + u32(flags) + gfx_dict())
    ret, err, _ = r.head()
    return ret, err, r.i64()


def write(c, gfid, fd, offset, data):
    r = c.fop(WRITE, gfid + i64(fd) + u64(offset) + u32(len(data)) + u32(0) + gfx_dict() + data)
    ret, err, _ = r.head()
    r.iatt()
    return ret, err, r.iatt()


def read(c, gfid, fd, offset, size):
    r = c.fop(READ, gfid + i64(fd) + u64(offset) + u32(size) + u32(0) + gfx_dict())
    ret, err = r.i32(), r.i32()
    r.iatt()
    n = r.u32()
    r.dict()
    return ret, err, r.b[r.p:r.p + n]


def unlink(c, pargfid, name):
    return c.fop(UNLINK, pargfid + string(name) + u32(0) + gfx_dict()).head()[:2]


def rmdir(c, pargfid, name):
    return c.fop(RMDIR, pargfid + i32(0) + string(name) + gfx_dict()).head()[:2]


def flock(typ, start, length, pid=1, owner=b"own"):
    return u32(typ) + u32(0) + u64(start) + u64(length) + u32(pid) + opaque(owner)


def lk(c, gfid, fd, cmd, typ, start=0, length=0):
    fl = flock(typ, start, length, owner=c.owner)
    return c.send(FOP, LK, gfid + i64(fd) + u32(cmd) + u32(typ) + fl + gfx_dict())


def lk_reply(c, xid, timeout=10):
    got, accept, r = c.recv(timeout)
    equal((got, accept), (xid, 0), "lk reply")
    ret, err, _ = r.head()
    typ, _, start, length, pid = r.u32(), r.u32(), r.u64(), r.u64(), r.u32()
    return ret, err, typ, start, length


def inodelk(c, gfid, cmd, typ, domain):
    fl = flock(typ, 0, 0, owner=c.owner)
    return c.fop(INODELK, gfid + u32(cmd) + u32(typ) + fl + string(domain) + gfx_dict()).head()[:2]


def entrylk(c, gfid, cmd, name, domain):
    return c.fop(ENTRYLK, gfid + u32(cmd) + u32(1) + u64(1 if name else 0) + string(name or "") +
                 string(domain) + gfx_dict()).head()[:2]


def xattrs_of(r):
    ret, err, _ = r.head()
    return ret, err, r.dict()


def brick_file(env, rel):
    return os.path.join(env[3], rel)


# ---- scenarios --------------------------------------------------------------------------------

def s_entries(env):
    """lookup, mkdir, create, write/read, errors as POSIX gives them."""
    c = brick_conn(env)
    equal(lookup(c, ROOT, "nothing")[:2], (-1, ENOENT), "lookup of a missing name")
    r = c.fop(LOOKUP, ROOT + b"\0" * 16 + u32(0) + string("") + gfx_dict())
    equal(r.head()[:2], (0, 0), "nameless lookup of the root")
    equal(r.iatt()["ino"], 1, "the root's inode number")
    ret, err, d = mkdir(c, ROOT, "dir")
    equal((ret, err), (0, 0), "mkdir")
    equal(mkdir(c, ROOT, "dir")[:2], (-1, EEXIST), "mkdir of an existing name")
    ret, err, f, fd = create(c, d, "file")
    equal((ret, err), (0, 0), "create")
    ret, err, post = write(c, f, fd, 0, b"hello wire")
    equal((ret, post["size"]), (10, 10), "write")
    equal(read(c, f, fd, 6, 100), (4, 0, b"wire"), "read back")
    equal(read(c, f, 12345, 0, 10)[:2], (-1, EBADF), "read on an fd never opened")
    equal(read(c, f, ANON_FD, 0, 5), (5, 0, b"hello"), "read through the anonymous fd")
    equal(rmdir(c, ROOT, "dir"), (-1, ENOTEMPTY), "rmdir of a directory with files")
    equal(unlink(c, ROOT, "dir"), (-1, EISDIR), "unlink of a directory")
    equal(lookup(c, b"\x42" * 16, "x")[:2], (-1, ENOENT), "lookup in an unknown parent")
    c.close()


def s_names(env):
    """hard link, rename within and across directories, symlink, mknod."""
    c = brick_conn(env)
    ret, err, d = mkdir(c, ROOT, "d")
    ret, err, f, fd = create(c, ROOT, "orig")
    equal(ret, 0, "create")
    r = c.fop(LINK, f + d + string("second") + gfx_dict())
    ret, err, _ = r.head()
    st = r.iatt()
    equal((ret, st["nlink"]), (0, 2), "link (two names; the gfid handle is not counted)")
    check(os.stat(brick_file(env, "d/second")).st_ino == os.stat(brick_file(env, "orig")).st_ino,
          "both names are one file on the brick")
    r = c.fop(RENAME, ROOT + d + string("orig") + string("moved") + gfx_dict())
    ret, err, _ = r.head()
    st = r.iatt()
    equal((ret, st["gfid"]), (0, f), "rename across directories keeps the gfid")
    equal(lookup(c, d, "moved")[2]["gfid"], f, "the new name finds the file")
    equal(lookup(c, ROOT, "orig")[:2], (-1, ENOENT), "the old name is gone")
    r = c.fop(RENAME, d + d + string("moved") + string("second") + gfx_dict())
    equal(r.head()[:2], (0, 0), "rename onto another link of the same file")
    g, x = gfid_req()
    r = c.fop(SYMLINK, ROOT + string("sl") + u32(0) + string("d/second") + gfx_dict(x))
    equal(r.head()[:2], (0, 0), "symlink")
    r = c.fop(READLINK, g + u32(4096) + gfx_dict())
    ret, err, _ = r.head()
    r.iatt()
    equal((ret, r.opaque()), (8, b"d/second"), "readlink")
    g, x = gfid_req()
    r = c.fop(MKNOD, ROOT + u64(0) + u32(0o10644) + u32(0) + string("fifo") + gfx_dict(x))
    equal(r.head()[:2], (0, 0), "mknod of a fifo")
    check(os.path.exists(brick_file(env, "fifo")), "the fifo is on the brick")
    r = c.fop(RENAME, ROOT + d + string("d") + string("inside") + gfx_dict())
    equal(r.head()[:2], (-1, EINVAL), "rename of a directory into itself")
    c.close()


def s_xattrs(env):
    """user and trusted xattrs by loc and fd, xattrop, lookup answering xdata."""
    c = brick_conn(env)
    ret, err, f, fd = create(c, ROOT, "x")
    r = c.fop(SETXATTR, f + u32(0) + gfx_dict([("user.colour", 5, b"blue\0"),
                                               ("trusted.t", 6, b"\1\2")]) + gfx_dict())
    equal(r.head()[:2], (0, 0), "setxattr")
    r = c.fop(FGETXATTR, f + i64(fd) + u32(1) + string("user.colour") + gfx_dict())
    equal(xattrs_of(r), (5, 0, {"user.colour": b"blue\0"}), "fgetxattr by name")
    r = c.fop(GETXATTR, f + u32(0) + string("") + gfx_dict())
    ret, err, x = xattrs_of(r)
    equal(sorted(x), ["trusted.t", "user.colour"], "listing (not trusted.gfid)")
    r = c.fop(FREMOVEXATTR, f + i64(fd) + string("user.colour") + gfx_dict())
    equal(r.head()[:2], (0, 0), "fremovexattr")
    r = c.fop(FGETXATTR, f + i64(fd) + u32(1) + string("user.colour") + gfx_dict())
    equal(r.head()[:2], (-1, ENODATA), "the attribute is gone")
    r = c.fop(SETXATTR, f + u32(0) + gfx_dict([("trusted.gfid", 6, b"\0" * 16)]) + gfx_dict())
    equal(r.head()[:2], (-1, EPERM), "trusted.gfid cannot change")
    one = struct.pack(">III", 1, 0, 2)
    for _ in range(3):
        r = c.fop(XATTROP, f + u32(0) + gfx_dict([("trusted.afr.v-client-0", 6, one)]) + gfx_dict())
    equal(xattrs_of(r)[2], {"trusted.afr.v-client-0": struct.pack(">III", 3, 0, 6)},
          "xattrop ADD_ARRAY")
    r = c.fop(FXATTROP, f + i64(fd) + u32(1) + gfx_dict([("trusted.q", 6, u64(5))]) + gfx_dict())
    equal(xattrs_of(r)[2], {"trusted.q": u64(5)}, "fxattrop ADD_ARRAY64")
    os.setxattr(brick_file(env, ""), "trusted.glusterfs.dht", b"\0\0\0\1" + b"\0" * 8 + b"\xff" * 4)
    ret, err, st, x = lookup(c, ROOT, "x", [("trusted.glusterfs.dht", 3, 16)])
    equal(x, None, "a file without a layout answers nothing")
    r = c.fop(LOOKUP, ROOT + b"\0" * 16 + u32(0) + string("") +
              gfx_dict([("trusted.glusterfs.dht", 3, 16), ("trusted.glusterfs.dht.mds", 3, 4)]))
    ret, err, x = r.head()
    equal(x, {"trusted.glusterfs.dht": b"\0\0\0\1" + b"\0" * 8 + b"\xff" * 4},
          "lookup answers the layout asked for in xdata")
    c.close()


def s_space(env):
    """sparse files, fallocate, discard, zerofill, seek, fsync, fsyncdir."""
    c = brick_conn(env)
    ret, err, f, fd = create(c, ROOT, "sparse")
    far = 1 << 30
    equal(write(c, f, fd, far, b"x")[2]["size"], far + 1, "write far away")
    check(os.stat(brick_file(env, "sparse")).st_blocks < 1024, "the file stays sparse")
    r = c.fop(SEEK, f + i64(fd) + u64(0) + i32(0) + gfx_dict())
    ret, err, _ = r.head()
    off = r.u64()
    check(ret == 0 and 0 < off <= far, "seek DATA finds the data (%d)" % off)
    r = c.fop(SEEK, f + i64(fd) + u64(far + 1) + i32(0) + gfx_dict())
    equal(r.head()[:2], (-1, ENXIO), "seek DATA past the end")
    ret, err, g, fd2 = create(c, ROOT, "space")
    r = c.fop(FALLOCATE, g + i64(fd2) + u32(0) + u64(0) + u64(1 << 20) + gfx_dict())
    ret, err, _ = r.head()
    r.iatt()
    equal((ret, r.iatt()["size"]), (0, 1 << 20), "fallocate")
    write(c, g, fd2, 4096, b"data")
    r = c.fop(DISCARD, g + i64(fd2) + u64(0) + u64(1 << 19) + gfx_dict())
    ret, err, _ = r.head()
    pre, post = r.iatt(), r.iatt()
    check(ret == 0 and post["blocks"] < pre["blocks"], "discard gives blocks back")
    equal(read(c, g, fd2, 4096, 4)[2], b"\0" * 4, "a discarded range reads zeros")
    write(c, g, fd2, 8192, b"more")
    r = c.fop(ZEROFILL, g + i64(fd2) + u64(8192) + u64(4) + gfx_dict())
    equal(r.head()[:2], (0, 0), "zerofill")
    equal(read(c, g, fd2, 8192, 4)[2], b"\0" * 4, "zerofilled")
    equal(c.fop(FSYNC, g + i64(fd2) + u32(1) + gfx_dict()).head()[:2], (0, 0), "fsync")
    r = c.fop(OPENDIR, ROOT + gfx_dict())
    ret, err, _ = r.head()
    dfd = r.i64()
    equal(c.fop(FSYNCDIR, ROOT + i64(dfd) + i32(0) + gfx_dict()).head()[:2], (0, 0), "fsyncdir")
    equal(c.fop(RELEASEDIR, ROOT + i64(dfd) + gfx_dict()).head()[:2], (0, 0), "releasedir")
    c.close()


def s_bad_requests(env):
    """unserved procedures and garbage get RPC errors; the connection keeps serving."""
    c = brick_conn(env)
    accept, r = c.call(FOP, COMPOUND, b"")
    equal(accept, 3, "COMPOUND is PROC_UNAVAIL")
    accept, r = c.call(FOP, LOOKUP, b"\0\0\0")
    equal(accept, 4, "a truncated lookup is GARBAGE_ARGS")
    equal(lookup(c, ROOT, "still-nothing")[:2], (-1, ENOENT), "the connection still serves")
    c.close()


def s_locks(env):
    """lk, inodelk and entrylk between two clients; a client's locks end when it goes."""
    a, b = brick_conn(env, b"owner-a"), brick_conn(env, b"owner-b")
    ret, err, f, fda = create(a, ROOT, "locked")
    equal((ret, err), (0, 0), "create")
    ret, err, fdb = open_(b, f)
    equal((ret, err), (0, 0), "open by b")
    equal(lk_reply(a, lk(a, f, fda, 1, 1, 0, 100))[:2], (0, 0), "SETLK write by a")
    equal(lk_reply(b, lk(b, f, fdb, 1, 0, 50, 10))[:2], (-1, EAGAIN), "SETLK read by b conflicts")
    equal(lk_reply(b, lk(b, f, fdb, 0, 0, 50, 10))[2:], (1, 0, 100), "GETLK shows a's write lock")
    equal(inodelk(a, f, 1, 1, "dom"), (0, 0), "inodelk by a")
    equal(inodelk(b, f, 1, 1, "dom"), (-1, EAGAIN), "inodelk by b in that domain")
    equal(inodelk(b, f, 1, 1, "other"), (0, 0), "inodelk by b in another domain")
    equal(entrylk(a, ROOT, 2, "name", "dom"), (0, 0), "entrylk by a")
    equal(entrylk(b, ROOT, 2, "name", "dom"), (-1, EAGAIN), "entrylk of that name by b")
    equal(entrylk(b, ROOT, 2, "other", "dom"), (0, 0), "entrylk of another name by b")
    waiting = lk(b, f, fdb, 2, 1, 0, 0)  # SETLKW: answered when a's lock goes
    try:
        b.recv(0.5)
        raise Fail("SETLKW was answered while a held the lock")
    except socket.timeout:
        pass
    a.close()  # a goes away without unlocking
    equal(lk_reply(b, waiting, 10)[:2], (0, 0), "b's SETLKW granted once a went away")
    c = brick_conn(env, b"owner-c")
    equal(inodelk(c, f, 1, 1, "dom"), (0, 0), "a's inodelk went with it")
    equal(entrylk(c, ROOT, 2, "name", "dom"), (0, 0), "a's entrylk went with it")
    b.close()
    c.close()


# ---- bad requests next to a mount (stock-client-bad.t) ----------------------------------------
#
# These scenarios print one line per request the brick must refuse: "PEER WHAT", PEER being the
# address:port the request came from, so that the test can find the brick's log line for it.

ENOTCONN = 107
RPC_MISMATCH, MSG_DENIED = 0, 1


def parse_old_dict(b):
    """The old-format dict of a SETVOLUME reply as {key: str}."""
    r = Reader(b)
    out = {}
    for _ in range(r.u32()):
        klen, vlen = r.u32(), r.u32()
        key = r.take(klen + 1)[:klen].decode()
        out[key] = r.take(vlen).rstrip(b"\0").decode(errors="replace")
    return out


def peer_of(c):
    return "%s:%d" % c.s.getsockname()[:2]


def setvolume(c, args):
    """SETVOLUME with the request bytes args: (op_ret, op_errno, reply dict)."""
    accept, r = c.call(HNDSK, 1, args, AUTH_V2)
    equal(accept, 0, "accept_stat of SETVOLUME")
    ret, err = r.i32(), r.i32()
    return ret, err, parse_old_dict(r.opaque())


def s_wrong_brick(env):
    """SETVOLUME naming a brick the process does not serve, or none, or with a broken dict:
    refused with the errno and ERROR text the stock client expects; the refused connection
    serves no fop; a good SETVOLUME on another connection still works."""
    host, vol, brick = env[0], env[2], env[3]
    port, opts = locate(env)
    login = {"process-uuid": "wire-bad-%s" % uuid.uuid4(), "username": opts.get("username", ""),
             "password": opts.get("password", "")}
    wrong = brick.rstrip("/") + "-no-such-brick"
    cases = [("unknown brick", dict(login, **{"remote-subvolume": wrong}), ENOENT, wrong),
             ("name too long", dict(login, **{"remote-subvolume": "/x" * 3000}), ENOENT, "/x/x"),
             ("no remote-subvolume", login, EINVAL, "remote-subvolume")]
    for what, d, errno, text in cases:
        c = Conn(host, port)
        ret, err, reply = setvolume(c, opaque(old_dict(d)))
        equal((ret, err), (-1, errno), "SETVOLUME, %s" % what)
        check(text in reply.get("ERROR", ""), "SETVOLUME, %s: ERROR %r does not say %r" %
              (what, reply.get("ERROR"), text))
        equal(lookup(c, ROOT, "x")[:2], (-1, ENOTCONN), "a fop after the refused SETVOLUME")
        print(peer_of(c), what)
        c.close()
    c = Conn(host, port)
    ret, err, reply = setvolume(c, opaque(b"\0\0\0\5garbage, not a dict"))
    equal((ret, err), (-1, EINVAL), "SETVOLUME with a broken dict")
    print(peer_of(c), "broken dict")
    c.close()
    c = brick_conn(env)
    equal(lookup(c, ROOT, "no-such-name")[:2], (-1, ENOENT), "a good connection binds and serves")
    c.close()


def closed_by_server(c, timeout=10):
    """True when the server closes c without answering anything."""
    c.s.settimeout(timeout)
    try:
        return c.s.recv(1) == b""
    except ConnectionResetError:
        return True


def raw_call(c, xid, rpcvers, prog, proc):
    """A call header with no arguments, of any RPC version, with c's credentials."""
    return (u32(xid) + u32(0) + u32(rpcvers) + u32(prog[0]) + u32(prog[1]) + u32(proc) +
            c.cred(AUTH_V3) + u32(0) + u32(0))


def record(body):
    return u32(0x80000000 | len(body)) + body


def s_garbage(env):
    """Bytes that are not ONC RPC on the brick port: the brick closes those connections (and
    frees what a bound one held: its lock); an RPC of the wrong version or program gets its
    RPC error on a connection that stays open."""
    host = env[0]
    port, _ = locate(env)
    streams = [("http request", b"GET / HTTP/1.1\r\nHost: brick\r\n\r\n"),
               ("random bytes", b"\xff" + os.urandom(4095)),
               ("framed junk", record(b"\xde\xad\xbe\xef" * 8)),
               ("empty fragments", u32(0) * 64)]
    for what, junk in streams:
        c = Conn(host, port)
        c.s.sendall(junk)
        check(closed_by_server(c), "%s: the brick answered instead of closing" % what)
        print(peer_of(c), what)
        c.close()
    a = brick_conn(env, b"garbage-a")
    ret, err, f, fd = create(a, ROOT, "garbage-lock-%s" % uuid.uuid4().hex)
    equal((ret, err), (0, 0), "create")
    equal(lk_reply(a, lk(a, f, fd, 1, 1, 0, 0))[:2], (0, 0), "a bound client locks a file")
    a.s.sendall(record(b"\xde\xad\xbe\xef" * 8))
    check(closed_by_server(a), "junk on a bound connection: the brick answered")
    print(peer_of(a), "junk after SETVOLUME")
    a.close()
    b = brick_conn(env, b"garbage-b")
    ret, err, fdb = open_(b, f)
    equal((ret, err), (0, 0), "open by another client")
    # F_SETLKW: the brick may drop the closed client's lock just after closing its socket.
    equal(lk_reply(b, lk(b, f, fdb, 2, 1, 0, 0))[:2], (0, 0), "the closed client's lock went")
    b.s.sendall(record(raw_call(b, 77, 3, FOP, LOOKUP)))
    r = Reader(b.record(10))
    equal((r.u32(), r.u32(), r.u32(), r.u32(), r.u32(), r.u32()),
          (77, 1, MSG_DENIED, RPC_MISMATCH, 2, 2), "RPC version 3: RPC_MISMATCH (2 to 2)")
    b.s.sendall(record(raw_call(b, 78, 2, (12345678, 1), 0)))
    r = Reader(b.record(10))
    equal((r.u32(), r.u32(), r.u32()), (78, 1, 0), "an unknown program: an accepted reply")
    r.u32()
    r.opaque()
    equal(r.u32(), 1, "an unknown program: PROG_UNAVAIL")
    equal(lookup(b, ROOT, "no-such-name")[:2], (-1, ENOENT), "that connection still serves")
    b.close()


def main():
    host, gd_port, vol, brick, scenario = sys.argv[1:6]
    env = (host, int(gd_port), vol, brick)
    try:
        globals()["s_" + scenario](env)
    except (Fail, OSError) as e:
        print("%s: %s" % (scenario, e))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
