#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The lab itself: devices get leases, resolve names through the gateway, reach the upstream over
# IPv4 and IPv6, fetch over HTTPS with the lab CA; the gateway reaches the MUD server's good and
# bad TLS hosts, its scripted answers (redirects, caching, slow and broken transfers), survives
# its stop and restart, and fetches signed MUD files that verify (and tampered or untrusted ones
# that do not); a second lab runs beside the first; teardown leaves nothing behind.
set -euo pipefail
. "$(dirname "$0")/lab.sh"
lab_require_root

second_lab() {
	# A whole second lab in a subshell, at the same time as the first.
	(
		lab_up
		lab_dev_add other --hostname other
		lab_dev_exec other ping -c1 -W2 203.0.113.10 >/dev/null || lab_fail "second lab: no upstream"
		echo "$LAB_ID"
	)
}

lab_up
first=$LAB_ID
second_out=$(mktemp)
second_lab >"$second_out" &
second_pid=$!

lab_dev_add plug --hostname HS110 --vendor udhcp-1.19 --options 1,3,6,12,15,28,42
lab_dev_add cam --hostname cam --mud https://mud.example.test/cam.json
ip=$(lab_dev_ip plug)
[[ "$ip" == 192.168.50.1[0-9][0-9] ]] || lab_fail "plug has no lease address ($ip)"

# The exact option 55 list and the MUD URL reached dnsmasq.
lab_wait_for 5 grep -q 'requested options: 1:netmask, 3:router, 6:dns-server, 12:hostname,' "$LAB_DIR/dnsmasq-gw.log" ||
	lab_fail "option 55 not sent as given"
grep -q "HS110" "$LAB_DIR/dnsmasq-gw.log" || lab_fail "hostname not sent"

for dev in plug cam; do
	out=$(lab_dev_exec $dev getent ahostsv4 www.example.test | head -n1 | awk '{print $1}')
	[ "$out" = 203.0.113.10 ] || lab_fail "$dev: www.example.test resolved to '$out'"
	lab_dev_exec $dev ping -c1 -W2 203.0.113.10 >/dev/null || lab_fail "$dev: no IPv4 to the upstream"
	lab_wait_for 10 lab_dev_exec $dev ping -6 -c1 -W1 2001:db8:ff00::10 || lab_fail "$dev: no IPv6 to the upstream"
	body=$(lab_dev_exec $dev curl -sS --max-time 5 --cacert "$LAB_DIR/pki/ca.pem" https://mud.example.test/hello.txt)
	[ "$body" = "hello from the lab" ] || lab_fail "$dev: HTTPS fetch returned '$body'"
	# TCP echo through the gateway's NAT
	echo ping | lab_dev_exec $dev timeout 5 socat - TCP:203.0.113.10:7 | grep -q ping || lab_fail "$dev: TCP echo failed"
done
# Certificate checks are real: without the lab CA the fetch fails.
if lab_dev_exec plug curl -s --max-time 5 https://mud.example.test/hello.txt >/dev/null; then
	lab_fail "HTTPS succeeded without the lab CA"
fi

# ---- the MUD server as homegated's fetcher sees it: from the gateway, through the lab's DNS
pki=$LAB_DIR/pki
gwcurl() { lab_gw_exec curl -sS --noproxy '*' --max-time 10 --cacert "$pki/ca.pem" "$@"; }
curl_fails() { # curl_fails EXIT TEXT CURL-ARGS...: curl must fail with that exit code and message
	local want=$1 text=$2 rc=0 err
	shift 2
	err=$(gwcurl -o /dev/null "$@" 2>&1) || rc=$?
	[ "$rc" = "$want" ] || lab_fail "curl $*: exit $rc, wanted $want: $err"
	grep -qF -- "$text" <<<"$err" || lab_fail "curl $*: '$err' lacks '$text'"
}
header() { # header NAME CURL-ARGS...: the value of one response header
	local name=$1
	shift
	gwcurl -o /dev/null -D - "$@" | tr -d '\r' | awk -v n="$name" 'tolower($1) == tolower(n) ":" {
		sub(/^[^:]*: */, ""); print }'
}
code() { gwcurl -o /dev/null -w '%{http_code}' "$@"; }

# TLS (AC-14): the good host verifies over IPv4 and IPv6, by name and by address; each bad host
# fails verification for its own reason only.
for fam in -4 -6; do
	[ "$(gwcurl $fam https://mud.example.test/hello.txt)" = "hello from the lab" ] ||
		lab_fail "gw: HTTPS fetch from mud.example.test ($fam)"
	curl_fails 60 "certificate has expired" $fam https://expired.example.test/hello.txt
	curl_fails 60 "no alternative certificate subject name matches target host name 'wronghost.example.test'" \
		$fam https://wronghost.example.test/hello.txt
	curl_fails 60 "self-signed certificate" $fam https://selfsigned.example.test/hello.txt
done
[ "$(gwcurl 'https://[2001:db8:ff00::20]/hello.txt')" = "hello from the lab" ] || lab_fail "gw: HTTPS by IPv6 address"
openssl verify -no_check_time -CAfile "$pki/ca.pem" "$pki/expired.pem" >/dev/null ||
	lab_fail "expired.pem is not otherwise valid"
! openssl x509 -in "$pki/expired.pem" -noout -checkend 0 >/dev/null || lab_fail "expired.pem has not expired"
[ "$(gwcurl --resolve other.example.test:443:203.0.113.22 https://other.example.test/hello.txt)" = "hello from the lab" ] ||
	lab_fail "the wrong-host certificate is not otherwise valid"
[ "$(gwcurl --cacert "$pki/selfsigned.pem" https://selfsigned.example.test/hello.txt)" = "hello from the lab" ] ||
	lab_fail "the self-signed host does not serve its own certificate"

# Plain HTTP on mud.example.test, and a redirect to it.
[ "$(lab_gw_exec curl -4 -sS --noproxy '*' --max-time 5 http://mud.example.test/hello.txt)" = "hello from the lab" ] ||
	lab_fail "no plain HTTP on mud.example.test"
lab_mud_last_request /hello.txt | grep -q "via=http:203.0.113.20 from=198.51.100.2" ||
	lab_fail "plain HTTP request not logged with its listener"
[ "$(gwcurl -o /dev/null -w '%{http_code} %{redirect_url}' 'https://mud.example.test/hello.txt?redirect=http://mud.example.test/hello.txt')" = \
	"302 http://mud.example.test/hello.txt" ] || lab_fail "redirect to http://"

# What the client sent is logged; requests are counted per path.
n=$(lab_mud_requests /hello.txt)
gwcurl -4 -o /dev/null -H 'Accept: application/mud+json' -H 'Accept-Language: de, en;q=0.5' \
	-A 'homegate-selfcheck/1' https://mud.example.test/hello.txt
line=$(lab_mud_last_request /hello.txt)
for want in "GET /hello.txt accept='application/mud+json' ua='homegate-selfcheck/1'" \
	"lang='de, en;q=0.5'" "host='mud.example.test'" "via=https:203.0.113.20"; do
	grep -qF -- "$want" <<<"$line" || lab_fail "request log lacks \"$want\": $line"
done
[ "$(lab_mud_requests /hello.txt)" = $((n + 1)) ] || lab_fail "request count: $(lab_mud_requests /hello.txt), wanted $((n + 1))"

# Redirects: a loop to the very same URL; N chained redirects, then the file.
[ "$(gwcurl -o /dev/null -w '%{redirect_url}' 'https://mud.example.test/hello.txt?loop=1')" = \
	"https://mud.example.test/hello.txt?loop=1" ] || lab_fail "loop=1 does not redirect to itself"
n=$(lab_mud_requests '/hello.txt?loop=1')
curl_fails 47 "Maximum (5) redirects followed" -L --max-redirs 5 'https://mud.example.test/hello.txt?loop=1'
[ "$(lab_mud_requests '/hello.txt?loop=1')" = $((n + 6)) ] || lab_fail "loop: not 6 requests"
out=$(gwcurl -L --max-redirs 3 -o /dev/null -w '%{http_code} %{num_redirects} %{size_download}' \
	'https://mud.example.test/hello.txt?redirect_count=3')
[ "$out" = "200 3 19" ] || lab_fail "redirect_count=3: '$out', wanted the file after 3 redirects"
curl_fails 47 "Maximum (2) redirects followed" -L --max-redirs 2 'https://mud.example.test/hello.txt?redirect_count=3'
[ "$(gwcurl -o /dev/null -w '%{http_code} %{redirect_url}' 'https://mud.example.test/hello.txt?redirect_count=2&etag=1')" = \
	"302 https://mud.example.test/hello.txt?redirect_count=1&etag=1" ] || lab_fail "redirect_count drops other parameters"

# Content type, caching headers and conditional requests.
[ "$(gwcurl -o /dev/null -w '%{content_type}' 'https://mud.example.test/hello.txt?ctype=text/html')" = text/html ] ||
	lab_fail "ctype"
[ -z "$(header Content-Type 'https://mud.example.test/hello.txt?ctype=')" ] || lab_fail "ctype= still sends a type"
etag=\"$(sha256sum "$LAB_DIR/www/hello.txt" | cut -c1-32)\"
[ "$(header ETag 'https://mud.example.test/hello.txt?etag=1')" = "$etag" ] || lab_fail "ETag is not $etag"
[ -z "$(header ETag https://mud.example.test/hello.txt)" ] || lab_fail "ETag sent without etag=1"
[ "$(code -H "If-None-Match: $etag" 'https://mud.example.test/hello.txt?etag=1')" = 304 ] || lab_fail "If-None-Match: no 304"
lab_mud_last_request '/hello.txt?etag=1' | grep -qF "inm='$etag'" || lab_fail "If-None-Match not logged"
[ "$(code -H 'If-None-Match: "other"' 'https://mud.example.test/hello.txt?etag=1')" = 200 ] || lab_fail "wrong ETag: no 200"
[ "$(header Cache-Control 'https://mud.example.test/hello.txt?maxage=3600')" = max-age=3600 ] || lab_fail "maxage"
touch -d '2026-01-02 03:04:05 UTC' "$LAB_DIR/www/hello.txt"
lm=$(header Last-Modified 'https://mud.example.test/hello.txt?lastmod=1')
[ "$lm" = "Fri, 02 Jan 2026 03:04:05 GMT" ] || lab_fail "Last-Modified is '$lm'"
[ "$(code -H "If-Modified-Since: $lm" 'https://mud.example.test/hello.txt?lastmod=1')" = 304 ] || lab_fail "If-Modified-Since: no 304"
lab_mud_last_request '/hello.txt?lastmod=1' | grep -qF "ims='$lm'" || lab_fail "If-Modified-Since not logged"
[ "$(code -H 'If-Modified-Since: Thu, 01 Jan 2026 00:00:00 GMT' 'https://mud.example.test/hello.txt?lastmod=1')" = 200 ] ||
	lab_fail "older If-Modified-Since: no 200"

# Slow, chunked and truncated answers.
t=$(gwcurl -o /dev/null -w '%{time_total}' 'https://mud.example.test/hello.txt?headers_trickle=0.005')
awk -v t="$t" 'BEGIN { exit !(t > 0.5) }' || lab_fail "headers_trickle=0.005 answered in $t s"
curl_fails 28 "timed out" --max-time 1 'https://mud.example.test/hello.txt?headers_trickle=0.2'
[ "$(header Transfer-Encoding 'https://mud.example.test/hello.txt?chunked=1')" = chunked ] || lab_fail "chunked"
[ "$(gwcurl -o /dev/null -w '%{size_download}' 'https://mud.example.test/x?size=100000&chunked=1')" = 100000 ] ||
	lab_fail "chunked size"
curl_fails 18 "transfer closed with 14 bytes remaining" 'https://mud.example.test/hello.txt?truncate=5'

# The server goes down and comes back: refused, then silently dropped.
n=$(lab_mud_requests /hello.txt)
lab_mud_server_stop
curl_fails 7 "Failed to connect" https://mud.example.test/hello.txt
lab_mud_server_start
[ "$(gwcurl https://mud.example.test/hello.txt)" = "hello from the lab" ] || lab_fail "no HTTPS after restart"
[ "$(gwcurl --cacert "$pki/selfsigned.pem" https://selfsigned.example.test/hello.txt)" = "hello from the lab" ] ||
	lab_fail "the self-signed host did not come back"
lab_mud_server_stop --drop
curl_fails 28 "Timeout was reached" --connect-timeout 1 https://mud.example.test/hello.txt
lab_mud_server_start
[ "$(gwcurl https://mud.example.test/hello.txt)" = "hello from the lab" ] || lab_fail "no HTTPS after the drop"
# three fetches got through (mud twice, selfsigned once); none reached a stopped or dropped server
[ "$(lab_mud_requests /hello.txt)" = $((n + 3)) ] || lab_fail "request count wrong across the restart"

# Signed MUD files (AC-16): published with a trusted signer, the fetched pair verifies against
# mud-trust.pem; a tampered byte, or an untrusted signer, does not.
mudin=$HOMEGATE_SRC/tests/data/mud/camera.json
mudfield() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["ietf-mud:mud"].get(sys.argv[2]))' "$@"; }
verify() { # verify MUD SIG [TRUST]
	openssl cms -verify -binary -inform DER -in "$2" -content "$1" -CAfile "${3:-$pki/mud-trust.pem}" \
		-purpose any -out /dev/null >/dev/null 2>&1
}
fetch() { # fetch URL FILE
	gwcurl -f -o "$2" -H 'Accept: application/mud+json' "$1" || lab_fail "cannot fetch $1"
}
got=$LAB_DIR/got
mkdir -p "$got"
lab_mud_publish "$mudin" cam.json --signer lab --set cache-validity=1
[ "$LAB_MUD_URL" = https://mud.example.test/cam.json ] || lab_fail "LAB_MUD_URL=$LAB_MUD_URL"
[ "$LAB_MUD_SIG_URL" = https://mud.example.test/cam.p7s ] || lab_fail "LAB_MUD_SIG_URL=$LAB_MUD_SIG_URL"
fetch "$LAB_MUD_URL" "$got/cam.json"
fetch "$LAB_MUD_SIG_URL" "$got/cam.p7s"
cmp -s "$got/cam.json" "$LAB_MUD_FILE" && cmp -s "$got/cam.p7s" "$LAB_MUD_SIG_FILE" || lab_fail "fetched bytes differ"
[ "$(mudfield "$got/cam.json" mud-url)" = https://mud.example.test/cam.json ] || lab_fail "mud-url not rewritten"
[ "$(mudfield "$got/cam.json" mud-signature)" = https://mud.example.test/cam.p7s ] || lab_fail "mud-signature not rewritten"
[ "$(mudfield "$got/cam.json" cache-validity)" = 1 ] || lab_fail "--set cache-validity"
[ "$(gwcurl -o /dev/null -w '%{content_type}' "$LAB_MUD_URL")" = application/mud+json ] || lab_fail "MUD content type"
[ "$(gwcurl -o /dev/null -w '%{content_type}' "$LAB_MUD_SIG_URL")" = application/pkcs7-signature ] || lab_fail "p7s type"
verify "$got/cam.json" "$got/cam.p7s" || lab_fail "the signed MUD file does not verify"
if [ -x "$HOMEGATE_BUILD/homegate" ]; then
	"$HOMEGATE_BUILD/homegate" mud check --ca "$pki/mud-trust.pem" "$got/cam.json" "$got/cam.p7s" >/dev/null ||
		lab_fail "homegate mud check rejects the lab's signed file"
fi

lab_mud_publish "$mudin" cam-tampered.json --signer lab --tamper
fetch "$LAB_MUD_URL" "$got/t.json"
fetch "$LAB_MUD_SIG_URL" "$got/t.p7s"
! verify "$got/t.json" "$got/t.p7s" || lab_fail "the tampered MUD file verifies"
[ "$(cmp -l "$got/t.json" "$got/cam.json" 2>/dev/null | wc -l)" -ge 1 ] || lab_fail "nothing tampered"
mudfield "$got/t.json" systeminfo | grep -q '^example Camera 2$' || lab_fail "tampered file is not valid JSON with one byte changed"

lab_mud_publish "$mudin" v1/rel.json --signer lab --sig-url rel
fetch "$LAB_MUD_URL" "$got/rel.json"
[ "$(mudfield "$got/rel.json" mud-signature)" = rel.p7s ] || lab_fail "relative mud-signature"
fetch https://mud.example.test/v1/rel.p7s "$got/rel.p7s"
verify "$got/rel.json" "$got/rel.p7s" || lab_fail "the file with a relative signature does not verify"

lab_mud_signer_make rogue --untrusted
lab_mud_publish "$mudin" cam-rogue.json --signer rogue
fetch "$LAB_MUD_URL" "$got/r.json"
fetch "$LAB_MUD_SIG_URL" "$got/r.p7s"
! verify "$got/r.json" "$got/r.p7s" || lab_fail "an untrusted signer verifies"
verify "$got/r.json" "$got/r.p7s" "$pki/mud/rogue-ca.pem" || lab_fail "the untrusted signature is otherwise broken"

lab_mud_signer_make nodsig --no-digitalsig
openssl x509 -in "$pki/mud/nodsig.pem" -noout -ext keyUsage | grep -q 'Key Encipherment' ||
	lab_fail "--no-digitalsig signer has the wrong keyUsage"
openssl x509 -in "$pki/mud/nodsig.pem" -noout -ext keyUsage | grep -q 'Digital Signature' &&
	lab_fail "--no-digitalsig signer allows digitalSignature"
openssl x509 -in "$pki/mud/lab.pem" -noout -ext keyUsage | grep -q 'Digital Signature' ||
	lab_fail "the lab signer lacks digitalSignature"

lab_mud_publish "$mudin" cam.json # republished unsigned: no node, no stale signature
fetch "$LAB_MUD_URL" "$got/u.json"
[ "$(mudfield "$got/u.json" mud-signature)" = None ] || lab_fail "unsigned file still names a signature"
curl_fails 22 "404" -f https://mud.example.test/cam.p7s

wait $second_pid || lab_fail "second lab failed"
second=$(tail -n1 "$second_out")
rm -f "$second_out"
[ -n "$second" ] && [ "$second" != "$first" ] || lab_fail "second lab did not run beside the first"
[ -z "$(ip netns list | grep "^$second-" || true)" ] || lab_fail "second lab left namespaces behind"

dir=$LAB_DIR
lab_down
[ -z "$(ip netns list | grep "^$first-" || true)" ] || lab_fail "namespaces left behind"
[ ! -e "$dir" ] || lab_fail "lab directory left behind"
ls /etc/netns 2>/dev/null | grep -q "^$first-" && lab_fail "/etc/netns entries left behind"
pgrep -f "homegate-lab.$first" >/dev/null && lab_fail "processes left behind"
echo "lab selfcheck: ok"
