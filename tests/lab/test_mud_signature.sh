#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# MUD signatures with real OpenSSL: a test CA and signers made here, then `homegate mud check`
# on a valid signature, a tampered byte, an untrusted CA, a signer without digitalSignature, an
# attached (not detached) signature and garbage (AC-16). Only a verified file is accepted.
set -euo pipefail
build=${HOMEGATE_BUILD:?}
src=${HOMEGATE_SRC:?}
command -v openssl >/dev/null || { echo "skip: openssl is not installed" >&2; exit 77; }
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
ossl() { openssl "$@" >/dev/null 2>&1 || fail "openssl $1"; }

mkca() { # mkca NAME
	ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=$1" \
		-keyout "$d/$1.key" -out "$d/$1.pem" -addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign
}
mksigner() { # mksigner NAME CA KEYUSAGE
	ossl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$1" -keyout "$d/$1.key" -out "$d/$1.csr"
	printf 'keyUsage=critical,%s\n' "$3" >"$d/$1.ext"
	ossl x509 -req -in "$d/$1.csr" -CA "$d/$2.pem" -CAkey "$d/$2.key" -CAcreateserial -days 2 \
		-extfile "$d/$1.ext" -out "$d/$1.pem"
}
sign() { # sign SIGNER FILE OUT [extra]
	ossl cms -sign -binary -outform DER -signer "$d/$1.pem" -inkey "$d/$1.key" -in "$2" -out "$3" ${4:-}
}
check() { # check WANT-EXIT WANT-TEXT ARGS...
	local want=$1 text=$2 out rc
	shift 2
	set +e
	out=$("$build/homegate" mud check "$@" 2>&1)
	rc=$?
	set -e
	[ "$rc" = "$want" ] || fail "exit $rc (wanted $want) for $*: $out"
	grep -qF -- "$text" <<<"$out" || fail "output lacks '$text': $out"
}

mkca ca
mkca other
mksigner good ca digitalSignature
mksigner nodsig ca keyEncipherment
file="$src/tests/data/mud/camera.json"
sign good "$file" "$d/good.p7s"
sign nodsig "$file" "$d/nodsig.p7s"
sign good "$file" "$d/attached.p7s" -nodetach

check 0 "signed by:     /CN=good" --ca "$d/ca.pem" "$file" "$d/good.p7s"
check 0 '"signer_sha256"' --json --ca "$d/ca.pem" "$file" "$d/good.p7s"
sed 's/cloud.example.test/cloud.example.tesT/' "$file" >"$d/tampered.json"
check 1 "signature does not verify" --ca "$d/ca.pem" "$d/tampered.json" "$d/good.p7s"
check 1 "certificate verify error" --ca "$d/other.pem" "$file" "$d/good.p7s"
check 1 "does not allow digitalSignature" --ca "$d/ca.pem" "$file" "$d/nodsig.p7s"
check 1 "not a detached CMS SignedData" --ca "$d/ca.pem" "$file" "$d/attached.p7s"
head -c 100 /dev/urandom >"$d/garbage.p7s"
check 1 "not a DER CMS message" --ca "$d/ca.pem" "$file" "$d/garbage.p7s"
check 2 "usage" "$file" "$d/good.p7s" # a signature without trust anchors is a usage error
check 2 "no PEM certificate" --ca "$file" "$file" "$d/good.p7s"
check 0 "signature:     not checked" "$file"
echo "mud signatures: ok"
