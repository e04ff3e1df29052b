#!/usr/bin/env bash
# Entry point of the consent-recorder Asterisk image.
#
# At every start it renders the two config files that carry secrets or
# host-specific settings from templates, using ONLY the variables listed
# below (the dialplan's own ${...} expressions are never touched), then runs
# the command (by default Asterisk in the foreground).
#
# Required:  CR_ARI_PASSWORD           password of the app's ARI user
#            ASTERISK_CALLER_PASSWORD  SIP password of softphone "caller"
#            ASTERISK_AGENT_PASSWORD   SIP password of softphone "agent"
# Optional:  CR_ARI_USER               ARI user name (default consent-recorder)
#            ASTERISK_EXTERNAL_ADDRESS address softphones use to reach the
#                                      Docker host (LAN or public IP / name)
#            ASTERISK_LOCAL_NET        comma-separated networks treated as
#                                      local (default 172.16.0.0/12)
#            ASTERISK_REQUIRE_SRTP     yes: SRTP is required on the softphone
#                                      endpoints; no (default): SRTP when offered
#
# TLS: /etc/asterisk/keys/asterisk.{crt,key} (SIP on 5061, ARI on 8089) are
# generated at the first start by tls-certificate.sh unless they exist
# (a volume keeps them; mount your own there instead).
set -euo pipefail

templates=/usr/share/consent-recorder/asterisk/templates
conf_dir=/etc/asterisk

die() {
    printf 'asterisk entrypoint: ERROR: %s\n' "$*" >&2
    exit 78   # EX_CONFIG
}

# Secrets end up in Asterisk config files, where ";" starts a comment and
# whitespace, quotes and backslashes have meaning, so only a safe character set
# is accepted. "openssl rand -hex 24" produces a suitable value.
secret_re='^[A-Za-z0-9._~+=@%^!*-]+$'
require_secret() {
    local name="$1" value
    value="${!name:-}"
    if [ -z "$value" ]; then
        die "$name is not set. Copy .env.example to .env and set it (for example: openssl rand -hex 24)."
    fi
    case "$value" in
        change-me*) die "$name still has the placeholder value from .env.example; put a real secret in .env." ;;
    esac
    if [ "${#value}" -lt 12 ]; then
        die "$name is shorter than 12 characters."
    fi
    if ! [[ "$value" =~ $secret_re ]]; then
        die "$name contains characters that are unsafe in Asterisk config files; use only letters, digits and . _ ~ + = @ % ^ ! * -"
    fi
}

require_secret CR_ARI_PASSWORD
require_secret ASTERISK_CALLER_PASSWORD
require_secret ASTERISK_AGENT_PASSWORD

CR_ARI_USER="${CR_ARI_USER:-consent-recorder}"
if ! [[ "$CR_ARI_USER" =~ ^[A-Za-z0-9_-]{1,64}$ ]]; then
    die "CR_ARI_USER must be 1-64 letters, digits, '_' or '-'."
fi

external="${ASTERISK_EXTERNAL_ADDRESS:-}"
local_nets="${ASTERISK_LOCAL_NET:-172.16.0.0/12}"
if [ -n "$external" ]; then
    if ! [[ "$external" =~ ^[A-Za-z0-9.:-]+$ ]]; then
        die "ASTERISK_EXTERNAL_ADDRESS must be an IP address or host name, got '$external'."
    fi
    PJSIP_TRANSPORT_NAT="; rendered from ASTERISK_EXTERNAL_ADDRESS / ASTERISK_LOCAL_NET"
    PJSIP_TRANSPORT_NAT+=$'\n'"external_media_address = $external"
    PJSIP_TRANSPORT_NAT+=$'\n'"external_signaling_address = $external"
    IFS=',' read -r -a nets <<< "$local_nets"
    for net in "${nets[@]}"; do
        net="${net//[[:space:]]/}"
        [ -n "$net" ] || continue
        if ! [[ "$net" =~ ^[0-9A-Fa-f.:]+(/[0-9]{1,3})?$ ]]; then
            die "ASTERISK_LOCAL_NET entry '$net' is not a network like 172.16.0.0/12."
        fi
        PJSIP_TRANSPORT_NAT+=$'\n'"local_net = $net"
    done
    echo "asterisk entrypoint: SIP/RTP external address $external, local networks $local_nets"
else
    PJSIP_TRANSPORT_NAT="; ASTERISK_EXTERNAL_ADDRESS is not set: no external address configured"
    echo "asterisk entrypoint: ASTERISK_EXTERNAL_ADDRESS not set; softphones on other machines may get no audio (see .env.example)"
fi

case "${ASTERISK_REQUIRE_SRTP:-no}" in
    yes) PJSIP_SRTP_OPTIMISTIC=no; echo "asterisk entrypoint: SRTP required on the softphone endpoints" ;;
    no) PJSIP_SRTP_OPTIMISTIC=yes ;;
    *) die "ASTERISK_REQUIRE_SRTP must be yes or no." ;;
esac

/usr/local/bin/asterisk-tls-certificate /etc/asterisk/keys ${external:+"$external"}

export CR_ARI_USER CR_ARI_PASSWORD ASTERISK_CALLER_PASSWORD ASTERISK_AGENT_PASSWORD PJSIP_TRANSPORT_NAT PJSIP_SRTP_OPTIMISTIC

# render <file> <variables>: template -> /etc/asterisk/<file>, readable by the
# asterisk user only. envsubst replaces placeholders in comments too, where a
# password or a multi-line value would do harm, so those are refused.
placeholder_re='\$\{?(CR_ARI_USER|CR_ARI_PASSWORD|ASTERISK_[A-Z_]+_PASSWORD|PJSIP_TRANSPORT_NAT|PJSIP_SRTP_OPTIMISTIC)\b'
render() {
    local file="$1" vars="$2"
    if grep -E '^[[:space:]]*;' "$templates/$file" | grep -Eq "$placeholder_re"; then
        die "template $file has a placeholder inside a comment."
    fi
    (
        umask 077
        envsubst "$vars" < "$templates/$file" > "$conf_dir/.$file.tmp"
    )
    mv -f "$conf_dir/.$file.tmp" "$conf_dir/$file"
}
# shellcheck disable=SC2016  # the variable names are for envsubst, not the shell
render ari.conf '${CR_ARI_USER} ${CR_ARI_PASSWORD}'
# shellcheck disable=SC2016
render pjsip.conf '${ASTERISK_CALLER_PASSWORD} ${ASTERISK_AGENT_PASSWORD} ${PJSIP_TRANSPORT_NAT} ${PJSIP_SRTP_OPTIMISTIC}'

if grep -Eq "$placeholder_re" "$conf_dir/ari.conf" "$conf_dir/pjsip.conf"; then
    die "a placeholder was left in ari.conf or pjsip.conf after rendering."
fi

# Asterisk itself runs at real-time priority (ASTERISK_REALTIME); any other command as it is
if [ "${1:-}" = asterisk ]; then
    exec /usr/local/bin/asterisk-realtime "$@"
fi
exec "$@"
