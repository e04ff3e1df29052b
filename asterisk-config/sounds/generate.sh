#!/usr/bin/env bash
# Regenerates every consent prompt from its text file:
#
#   sounds/<lang>/consent-recorder/<name>.txt  ->  sounds/<lang>/consent-recorder/<name>.wav
#
# Output: 8000 Hz, mono, 16-bit signed PCM WAV, which Asterisk's format_wav plays
# natively (no transcoding to slin). The app plays them as
# sound:consent-recorder/<name> with lang=<lang>.
#
# Tools: espeak-ng (speech) and sox (resampling, levels).  On Debian/Ubuntu:
#   apt-get install -y espeak-ng sox
#
# Idempotent: the same text and tool versions give byte-identical files (sox
# dithering is switched off with -D, so nothing random goes into the output),
# and running it twice leaves the tree unchanged.
#
# Usage: sounds/generate.sh            # all languages
#        sounds/generate.sh de         # only the listed languages
#
# These synthetic voices are placeholders for a demo; for production, record
# the texts with a professional voice and drop the wavs in place (same format).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# Prompts whose speech (without the 0.5 s of padding added below) is longer
# than this get a warning: a notice that drags on makes callers hang up before
# they have chosen.
max_seconds=12
pad_seconds=0.5

for tool in espeak-ng sox soxi; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "generate.sh: '$tool' not found; install it with: apt-get install -y espeak-ng sox" >&2
        exit 1
    fi
done

# espeak-ng voice and speed (words per minute) per language directory. German
# words are longer, so its voice runs a little faster to keep the notices short.
voice_for() {
    case "$1" in
        en) echo "en-gb 170" ;;
        de) echo "de 180" ;;
        *)  return 1 ;;
    esac
}

if [ "$#" -gt 0 ]; then
    langs=("$@")
else
    langs=()
    for dir in "$here"/*/; do
        langs+=("$(basename "$dir")")
    done
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

count=0
for lang in "${langs[@]}"; do
    src_dir="$here/$lang/consent-recorder"
    if [ ! -d "$src_dir" ]; then
        echo "generate.sh: no directory $src_dir" >&2
        exit 1
    fi
    if ! voice_speed="$(voice_for "$lang")"; then
        echo "generate.sh: no espeak-ng voice configured for language '$lang' (edit voice_for)" >&2
        exit 1
    fi
    voice="${voice_speed% *}"
    speed="${voice_speed#* }"
    shopt -s nullglob
    txts=("$src_dir"/*.txt)
    shopt -u nullglob
    if [ "${#txts[@]}" -eq 0 ]; then
        echo "generate.sh: no .txt files in $src_dir" >&2
        exit 1
    fi
    for txt in "${txts[@]}"; do
        name="$(basename "$txt" .txt)"
        wav="$src_dir/$name.wav"
        raw="$tmp/$lang-$name.wav"
        espeak-ng -v "$voice" -s "$speed" -w "$raw" -f "$txt"
        # -D: no dither (deterministic output); gain -6 leaves headroom for the
        # filters; highpass/lowpass: telephone band;
        # gain -n -3: normalise to -3 dBFS; pad: short silence at both ends so the
        # first syllable is not clipped when media starts.
        sox -D "$raw" -r 8000 -c 1 -b 16 -e signed-integer "$tmp/out.wav" \
            gain -6 highpass 200 lowpass 3400 gain -n -3 pad 0.2 0.3
        mv "$tmp/out.wav" "$wav"

        rate="$(soxi -r "$wav")"; channels="$(soxi -c "$wav")"; bits="$(soxi -b "$wav")"
        if [ "$rate" != 8000 ] || [ "$channels" != 1 ] || [ "$bits" != 16 ]; then
            echo "generate.sh: $wav came out as ${rate} Hz, ${channels} ch, ${bits} bit" >&2
            exit 1
        fi
        seconds="$(soxi -D "$wav")"
        printf '%-4s %-20s %5.1f s\n' "$lang" "$name" "$seconds"
        if awk -v s="$seconds" -v p="$pad_seconds" -v m="$max_seconds" 'BEGIN { exit !(s - p > m) }'; then
            echo "generate.sh: warning: $lang/$name is longer than ${max_seconds} s; shorten $txt" >&2
        fi
        count=$((count + 1))
    done
done
echo "generate.sh: $count prompt(s) written"
