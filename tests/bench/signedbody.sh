# shellcheck shell=bash
# Sourced by the receiver benchmarks after `work=$(mktemp -d)` and `here=...`: a 10-event Akeneo body of about 5 KB in
# $work/body.json, signed as Akeneo signs it (HMAC-SHA256 of "TIMESTAMP.BODY": the secret in $secret, the timestamp in
# $ts, the signature in $sig), and wrk's script that posts it with those headers in $work/post.lua.
node "$here/receiver/makebody.js" > "$work/body.json"
secret=3ha6eonoa9icsckw8kccos084w0c0000g08g40oo4kww0gc8w4
ts=$(date +%s)
sig=$( { printf '%s.' "$ts"; cat "$work/body.json"; } | openssl dgst -sha256 -hmac "$secret" | awk '{print $NF}')
cat > "$work/post.lua" <<LUA
wrk.method = "POST"
local f = io.open("$work/body.json", "rb"); wrk.body = f:read("*a"); f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Akeneo-Request-Timestamp"] = "$ts"
wrk.headers["X-Akeneo-Request-Signature"] = "$sig"
LUA
