#!/bin/bash
# Makes throw-away TLS material for a test, in the test's own directory, with the
# openssl command (never commit what it makes):
#
#   tls-certs.sh DIR ca NAME           a self-signed CA: DIR/NAME.pem, DIR/NAME.key
#   tls-certs.sh DIR cert NAME CA      a certificate whose common name is NAME, signed
#                                      by DIR/CA.pem: DIR/NAME.pem, DIR/NAME.key
#
# Keys are P-256 (fast to make), certificates valid for two days. One certificate
# serves as client and as server, as with GlusterFS. Exits non-zero on failure.
set -e

usage() {
    echo "usage: $0 DIR ca NAME | $0 DIR cert NAME CA" >&2
    exit 2
}

[ $# -ge 3 ] || usage
dir=$1 kind=$2 name=$3
mkdir -p "$dir"
key=$dir/$name.key
pem=$dir/$name.pem
newkey=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)

case $kind in
ca)
    openssl req -x509 "${newkey[@]}" -days 2 -subj "/CN=$name" -keyout "$key" -out "$pem" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    ;;
cert)
    [ $# -eq 4 ] || usage
    ca=$dir/$4
    csr=$dir/$name.csr
    ext=$dir/$name.ext
    openssl req -new "${newkey[@]}" -subj "/CN=$name" -keyout "$key" -out "$csr" 2>/dev/null
    echo "basicConstraints=critical,CA:FALSE" > "$ext"
    openssl x509 -req -in "$csr" -CA "$ca.pem" -CAkey "$ca.key" -set_serial "0x$(openssl rand -hex 8)" \
        -days 2 -sha256 -extfile "$ext" -out "$pem" 2>/dev/null
    rm -f "$csr" "$ext"
    ;;
*)
    usage
    ;;
esac
chmod 600 "$key"
