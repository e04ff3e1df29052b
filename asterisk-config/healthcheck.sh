#!/bin/sh
# Health check of the consent-recorder Asterisk container.
#
# Healthy when the Asterisk CLI answers and ARI is served: an unauthenticated
# GET /ari/asterisk/info must get HTTP 401, which proves that the HTTP server
# is listening and res_ari is loaded, without putting the ARI password on a
# command line (404 would mean ARI is missing, 000 that nothing listens).
set -eu

if ! asterisk -rx 'core show uptime' 2>/dev/null | grep -q 'System uptime'; then
    echo "Asterisk CLI is not answering"
    exit 1
fi

code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 http://127.0.0.1:8088/ari/asterisk/info || true)"
if [ "$code" != "401" ]; then
    echo "ARI answered HTTP ${code:-none}, expected 401"
    exit 1
fi
echo "ok"
