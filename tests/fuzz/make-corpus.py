#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into tests/fuzz/corpus/<target>/.

Each seed is a small valid input of its target, so the fuzzers start from the
shapes real peers send instead of finding them byte by byte. The FOP requests
are encoded from the structures of rpc/xdr/src/fops.x (a tiny reader of the XDR
language below), one seed per fop of libglusterfs/src/glusterfs/fops.def that
has a gfx_<fop>_req structure. Run it again after changing those files; the
files it writes are committed.
"""
import os
import re
import struct
import sys

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(TOP, "tests", "fuzz", "corpus")


def u32(n):
    return struct.pack(">I", n & 0xFFFFFFFF)


def u64(n):
    return struct.pack(">Q", n & 0xFFFFFFFFFFFFFFFF)


def opaque(b):
    return u32(len(b)) + b + b"\0" * (-len(b) % 4)


def old_dict(pairs):
    """The old serialized dict: count, then key_len value_len key NUL value."""
    out = u32(len(pairs))
    for k, v in pairs:
        out += u32(len(k)) + u32(len(v)) + k + b"\0" + v
    return out


HANDSHAKE_DICT = old_dict([(b"remote-subvolume", b"/bricks/b1\0"),
                           (b"process-uuid", b"host-1234-2024/01/01-00:00:00:000000-vol-client-0-0-0\0"),
                           (b"fops-version", b"1298437\0"),
                           (b"username", b"e2d0a2d4-user\0"),
                           (b"password", b"c3b1-secret\0"),
                           (b"volfile-checksum", b"0\0")])

# gfx_value discriminants and their encodings.
GFID = bytes(range(1, 17))
IATT = GFID + b"".join(u64(n) for n in (0, 42, 2049, 0, 4096, 8, 0, 0)) + \
    b"".join(u64(n) for n in (1700000000, 1700000001, 1700000002, 1700000003)) + \
    b"".join(u32(n) for n in (1, 2, 3, 4, 1, 0, 0, 4096, 0o100644))
MDATA = b"".join(u64(n) for n in (1700000000, 1700000001, 1700000002)) + u32(1) + u32(2) + u32(3)
VALUES = [(2, u64(-5)), (3, u64(7)), (4, struct.pack(">d", 1.5)), (5, opaque(b"on\0")),
          (8, IATT), (7, GFID), (6, opaque(b"\x01\x02\x03")), (1, opaque(b"old\0")), (9, MDATA)]


def gfx_dict(pairs):
    """A gfx_dict of (key, (type, encoded value)) pairs; None: the absent dict."""
    if pairs is None:
        return u32(0) + u32(0xFFFFFFFF) + u32(0)
    body = b"".join(opaque(k + b"\0") + u32(t) + v for k, (t, v) in pairs)
    return u32(len(body)) + u32(len(pairs)) + u32(len(pairs)) + body


XDATA = gfx_dict([(b"gfid-req", (7, GFID)), (b"glusterfs.dht", (3, u64(1)))])

# ---- a reader of the struct definitions of fops.x --------------------------------


def read_structs(path):
    text = re.sub(r"/\*.*?\*/", "", open(path).read(), flags=re.S)
    structs = {}
    for name, body in re.findall(r"struct\s+(\w+)\s*\{(.*?)\};", text, flags=re.S):
        fields = [f.strip() for f in body.split(";") if f.strip()]
        structs[name] = fields
    return structs


def encode_field(decl, structs, depth):
    """Encodes one field declaration with a plausible value; a list pointer
    gets one element (whose own next pointer is null)."""
    m = re.match(r"(\w+)\s*\*\s*(\w+)$", decl)
    if m:
        return u32(0) if depth else u32(1) + encode_struct(m.group(1), structs, depth + 1)
    m = re.match(r"(?:unsigned\s+)?(\w+)\s+(\w+)\s*(\[\d+\]|<\w*>)?$", decl)
    if not m:
        raise ValueError("cannot read field '%s'" % decl)
    typ, name, dim = m.groups()
    if typ == "opaque" and dim and dim.startswith("["):
        return (GFID * 4)[:int(dim[1:-1])]
    if typ == "opaque":
        return opaque(b"\0\0\0\x07" if "owner" in name else b"data")
    if typ == "string":
        return opaque(b"file.txt" if "name" in name else b"vol-locks")
    if typ == "hyper":
        return u64(4096 if name in ("offset", "size", "len") else 0)
    if typ == "int":
        return u32(1 if name in ("fd", "flags", "cmd", "type") else 0o644 if name == "mode" else 0)
    if typ == "double":
        return struct.pack(">d", 0.0)
    if typ == "gfx_dict":
        return XDATA
    if typ in structs:
        return encode_struct(typ, structs, depth)
    raise ValueError("unknown type '%s' in '%s'" % (typ, decl))


def encode_struct(name, structs, depth=0):
    return b"".join(encode_field(f, structs, depth) for f in structs[name])


def fops(path):
    return re.findall(r"^GF_FOP\((\w+),\s*\w+,\s*(\d+)\)", open(path).read(), flags=re.M)


# ---- the corpora ---------------------------------------------------------------------


def rpc_call(prog, vers, proc, flavor, cred, args=b""):
    return u32(0x1234) + u32(0) + u32(2) + u32(prog) + u32(vers) + u32(proc) + \
        u32(flavor) + opaque(cred) + u32(0) + u32(0) + args


def corpora():
    c = {}
    v2 = u32(4321) + u32(0) + u32(0) + u32(2) + u32(0) + u32(10) + opaque(b"\xe1\x10\0\0")
    v3 = u32(4321) + u32(1000) + u32(1000) + u32(1) + u32(5) + u64(1700000000) + \
        u32(1) + u32(1000) + opaque(b"\x01\x02\x03\x04\x05\x06\x07\x08")
    unix = u32(0) + opaque(b"host") + u32(0) + u32(0) + u32(1) + u32(0)
    c["fuzz-rpc-msg"] = {
        "call-v2-dump": rpc_call(123451501, 1, 1, 390039, v2, u64(0)),
        "call-v3-stat": rpc_call(1298437, 400, 1, 390040, v3, GFID + XDATA),
        "call-unix": rpc_call(34123456, 1, 1, 1, unix, opaque(b"/bricks/b1")),
        "call-none": rpc_call(14398633, 2, 0, 0, b""),
        "reply-success": u32(0x1234) + u32(1) + u32(0) + u32(0) + u32(0) + u32(0),
        "reply-prog-mismatch": u32(7) + u32(1) + u32(0) + u32(0) + u32(0) + u32(2) + u32(1) + u32(2),
        "reply-auth-error": u32(7) + u32(1) + u32(1) + u32(1) + u32(1),
        "reply-rpc-mismatch": u32(7) + u32(1) + u32(1) + u32(0) + u32(2) + u32(2),
    }
    last = 0x80000000
    c["fuzz-record"] = {
        "one-record": b"\x80" + u32(last | 12) + b"x" * 12,
        "two-fragments": b"\x81" + u32(5) + b"hello" + u32(last | 6) + b" world",
        "two-records": b"\x82" + u32(last | 3) + b"abc" + u32(last | 4) + b"defg",
        "empty-fragments": b"\x43" + u32(0) + u32(0) + u32(4) + b"abcd" + u32(last),
        "oversized": b"\x00" + u32(last | 17) + b"y" * 17,
    }
    c["fuzz-dict"] = {
        "empty": old_dict([]),
        "handshake": HANDSHAKE_DICT,
        "numbers": old_dict([(b"n", b"-42\0"), (b"u", b"0x10\0"), (b"d", b"2.5\0"),
                             (b"b", b"on\0"), (b"uuid", GFID), (b"raw", b"\xff\0\x01")]),
        "duplicate-keys": old_dict([(b"k", b"1\0"), (b"k", b"2\0")]),
    }
    c["fuzz-gfx-dict"] = {
        "absent": gfx_dict(None),
        "empty": gfx_dict([]),
        "every-type": gfx_dict([(b"key%d" % i, v) for i, v in enumerate(VALUES)]),
        "xdata": XDATA,
    }
    structs = read_structs(os.path.join(TOP, "rpc", "xdr", "src", "fops.x"))
    c["fuzz-fop-req"] = {}
    for enum, num in fops(os.path.join(TOP, "libglusterfs", "src", "glusterfs", "fops.def")):
        name = "gfx_%s_req" % enum.lower()
        if name in structs:
            c["fuzz-fop-req"][enum.lower()] = bytes([int(num)]) + encode_struct(name, structs)
    c["fuzz-volfile"] = {
        "brick": b"""volume vol-posix
    type storage/posix
    option directory /bricks/b1
    option volume-id 6a3e1a0e-5d5e-4a39-9d5a-0e4f3a9b1c2d
end-volume

volume /bricks/b1
    type debug/io-stats
    option log-level "INFO"
    subvolumes vol-posix
end-volume
""",
        "client": b"""# client graph
volume vol-client-0
    type protocol/client
    option remote-host 127.0.0.1
    option remote-subvolume /bricks/b1
    option password "a \\"quoted\\" \\\\ value"
end-volume
volume vol-client-1
    type protocol/client
    option remote-subvolume /bricks/b2
end-volume
volume vol-dht
    type cluster/distribute
    subvolumes vol-client-0 vol-client-1
end-volume
""",
    }
    c["fuzz-handshake"] = {
        "setvolume": b"\0" + opaque(HANDSHAKE_DICT),
        "getspec": b"\1" + u32(1) + opaque(b"/vol") +
        opaque(old_dict([(b"min-op-version", b"1\0"), (b"brick_name", b"/bricks/b1\0")])),
        "getspec-empty": b"\1" + u32(0) + opaque(b"vol") + opaque(b""),
        "volume-info": b"\2" + opaque(old_dict([(b"volname", b"vol\0"), (b"flags", b"1\0")])),
    }
    return c


def main():
    for target, seeds in corpora().items():
        d = os.path.join(OUT, target)
        os.makedirs(d, exist_ok=True)
        for old in os.listdir(d):
            os.unlink(os.path.join(d, old))
        for name, data in seeds.items():
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
        print("%s: %d seeds" % (target, len(seeds)), file=sys.stderr)


if __name__ == "__main__":
    main()
