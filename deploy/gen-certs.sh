#!/usr/bin/env bash
# Generates a private CA and a serving certificate for the rbac-guard webhook Service, with openssl.
#   deploy/gen-certs.sh [OUT_DIR]            (default OUT_DIR: ./certs)
# Environment:
#   SERVICE     Service name            (default rbac-guard)
#   NAMESPACE   Service namespace       (default rbac-guard)
#   EXTRA_SANS  more subjectAltNames, comma separated, e.g. "IP:127.0.0.1,DNS:localhost"
#   DAYS        serving certificate lifetime in days (default 365); the CA lives 10 years
#   REUSE_CA    if "1" and OUT_DIR/ca.crt + ca.key exist, sign with that CA (certificate rotation)
# Writes: ca.crt ca.key tls.crt tls.key (and ca.b64: ca.crt base64 on one line, for caBundle).
# The serving certificate carries SANs <svc>, <svc>.<ns>, <svc>.<ns>.svc (what the apiserver checks: CN-only
# certificates are refused since Kubernetes 1.23) and <svc>.<ns>.svc.cluster.local.
set -euo pipefail
out="${1:-./certs}"
svc="${SERVICE:-rbac-guard}"
ns="${NAMESPACE:-rbac-guard}"
days="${DAYS:-365}"
mkdir -p "$out"
cd "$out"
umask 077

if [ "${REUSE_CA:-0}" = "1" ] && [ -s ca.crt ] && [ -s ca.key ]; then
  echo "gen-certs.sh: reusing the CA in $out" >&2
else
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 \
    -keyout ca.key -out ca.crt -subj "/CN=rbac-guard-webhook-ca" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
fi

sans="DNS:${svc},DNS:${svc}.${ns},DNS:${svc}.${ns}.svc,DNS:${svc}.${ns}.svc.cluster.local"
[ -n "${EXTRA_SANS:-}" ] && sans="${sans},${EXTRA_SANS}"

cat > server.ext <<CONF
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=${sans}
CONF
openssl req -newkey rsa:2048 -nodes -sha256 -keyout tls.key.new -out server.csr -subj "/CN=${svc}.${ns}.svc" 2>/dev/null
openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -sha256 -days "$days" \
  -extfile server.ext -out tls.crt.new 2>/dev/null
# why: replace key and certificate together (renames) so a watching server never reads a mismatched pair for long
mv tls.key.new tls.key
mv tls.crt.new tls.crt
rm -f server.csr server.ext ca.srl
base64 < ca.crt | tr -d '\n' > ca.b64
chmod 600 ca.key tls.key
chmod 644 ca.crt tls.crt ca.b64
echo "gen-certs.sh: wrote $out/{ca.crt,ca.key,tls.crt,tls.key,ca.b64} for ${svc}.${ns}.svc" >&2
