#!/usr/bin/env bash
# tls-certificate.sh DIR [NAME...]
#
# Makes sure DIR holds the certificate Asterisk presents on SIP over TLS (pjsip
# transport-tls, port 5061) and on ARI over HTTPS/WSS (http.conf, port 8089):
#   DIR/asterisk.crt  (0644)  the certificate, PEM
#   DIR/asterisk.key  (0600)  its private key, PEM (PKCS#8)
# If both files are there (generated at an earlier start, or mounted by the
# operator), they are used as they are. Otherwise a self-signed certificate
# (EC P-256, 825 days) is generated for the name "asterisk" (the compose
# service name the app connects to) and every NAME given (IP address or DNS
# name, e.g. the address softphones use). The app trusts it through
# CR_ARI_CA_FILE; softphones must be told to trust it too, or mount a
# certificate from your own CA instead.
set -euo pipefail

dir="${1:?usage: tls-certificate.sh DIR [NAME...]}"
shift
crt="$dir/asterisk.crt"
key="$dir/asterisk.key"

if [ -s "$crt" ] && [ -s "$key" ]; then
    echo "tls: using the certificate in $crt"
    exit 0
fi

san="DNS:asterisk"
for name in "$@"; do
    [ -n "$name" ] || continue
    if ! [[ "$name" =~ ^[A-Za-z0-9.:-]+$ ]]; then
        echo "tls: '$name' is not an IP address or host name" >&2
        exit 78
    fi
    if [[ "$name" =~ ^[0-9.]+$ ]] || [[ "$name" == *:* ]]; then
        san+=",IP:$name"
    else
        san+=",DNS:$name"
    fi
done

mkdir -p "$dir"
umask 077
tmp_key="$(mktemp "$dir/.asterisk.key.XXXXXX")"
tmp_crt="$(mktemp "$dir/.asterisk.crt.XXXXXX")"
trap 'rm -f "$tmp_key" "$tmp_crt"' EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 825 \
    -subj "/CN=asterisk" \
    -addext "subjectAltName=$san" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
    -addext "keyUsage=critical,digitalSignature,keyCertSign" \
    -addext "extendedKeyUsage=serverAuth,clientAuth" \
    -keyout "$tmp_key" -out "$tmp_crt" 2>/dev/null
chmod 0600 "$tmp_key"
chmod 0644 "$tmp_crt"
mv -f "$tmp_key" "$key"
mv -f "$tmp_crt" "$crt"
trap - EXIT
echo "tls: generated a self-signed certificate for $san in $crt"
