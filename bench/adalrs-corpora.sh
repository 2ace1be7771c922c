#!/usr/bin/env bash
# Fetches and prepares the corpora of the AdaLRS multi-corpus benchmark (docs/adalrs.md), none of
# them the bundled Europarl sample, all from Debian packages:
#   pydoc     Python 3.11's documentation, reST sources (python3.11-doc; PSF licence):
#             technical prose, English; one document per file
#   kjv       the King James Bible (bible-kjv, bible-kjv-text; the text is public domain):
#             literature, early-modern English; one document per chapter
#   fortunes  German fortune cookies: anecdotes, quotes, poems (fortunes-de; GPL-2+): another
#             language; one document per cookie (the ASCII-art file left out)
# Each is prepared with `bin/pacer prepare` (byte tokenizer, sequences of SEQ_LEN tokens) into
# OUT/NAME. Nothing is committed: rerun this script to reproduce the inputs.
#
#   bench/adalrs-corpora.sh [OUT_DIR] [SEQ_LEN]     # defaults: runs/data, 64
#
# Needs apt-get (as root, or sudo) for the packages, python3 to split the texts into JSON Lines,
# and a packaged build (mvn -B -ntp -o -q -DskipTests package) for bin/pacer.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-runs/data}"
seq_len="${2:-64}"
packages=(python3.11-doc bible-kjv bible-kjv-text fortunes-de)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# King James Bible: one verse a line ("Ge1:1 In the beginning ..."), grouped into chapters
bible -f Gen1:1-Rev22:21 > "$work/kjv-verses.txt"
python3 - "$work/kjv-verses.txt" "$work/kjv.jsonl" <<'EOF'
import json, re, sys
chapters, current, key = [], [], None
for line in open(sys.argv[1], encoding="utf-8"):
    m = re.match(r"(\S+?)(\d+):(\d+) (.*)", line.rstrip("\n"))
    if not m:
        raise SystemExit("kjv: unexpected line: " + line[:60])
    if (m[1], m[2]) != key and current:
        chapters.append(" ".join(current))
        current = []
    key = (m[1], m[2])
    current.append(m[4])
chapters.append(" ".join(current))
with open(sys.argv[2], "w", encoding="utf-8") as f:
    for c in chapters:
        f.write(json.dumps({"text": c}, ensure_ascii=False) + "\n")
print(f"kjv: {len(chapters)} chapters")
EOF

# German fortunes: the UTF-8 files, cookies separated by a line holding only "%"
python3 - /usr/share/games/fortunes/de "$work/fortunes.jsonl" <<'EOF'
import json, pathlib, sys
cookies = []
for path in sorted(pathlib.Path(sys.argv[1]).glob("*.u8")):
    if path.stem == "asciiart":
        continue
    text = path.read_text(encoding="utf-8")
    cookies += [c.strip("\n") for c in text.split("\n%\n") if c.strip()]
with open(sys.argv[2], "w", encoding="utf-8") as f:
    for c in cookies:
        f.write(json.dumps({"text": c}, ensure_ascii=False) + "\n")
print(f"fortunes: {len(cookies)} cookies")
EOF

prepare() {
  local name="$1"
  shift
  nice -n 10 bin/pacer prepare --output "$out/$name" --set pacer.train.seq-len="$seq_len" "$@"
}
prepare pydoc --input /usr/share/doc/python3.11/html/_sources --set pacer.data.text-unit=file
prepare kjv --input "$work/kjv.jsonl"
prepare fortunes --input "$work/fortunes.jsonl"
