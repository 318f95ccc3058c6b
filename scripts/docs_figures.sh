#!/usr/bin/env bash
# Regenerates the PNGs of docs/figures/ from a lecture run (scripts/main.sh writes runs/lecture/figures/),
# under the same names as the suite's figure files and the report's regenerate commands
# (A7-alexnet.png, E3-depth.png, ...). A walkthrough drawn as numbered frames (A1-sobel-01.png ...)
# is shown by its last frame, the whole output. E3 and E5 come from the lecture report's depth study
# (data/depth-study.json, or runs/depth beside runs/lecture).
#   scripts/docs_figures.sh [RUN_FOLDER]     (default runs/lecture)
set -euo pipefail
cd "$(dirname "$0")/.."
run="${1:-runs/lecture}"
src="$run/figures"
if [ ! -d "$src" ]; then
    echo "docs_figures: $src does not exist; run scripts/main.sh first" >&2
    exit 1
fi
dest=docs/figures
rm -f "$dest"/*.png
count=0
for f in "$src"/*.png; do
    name=$(basename "$f" .png)
    if [[ "$name" =~ ^(.*)-([0-9][0-9])$ ]] && [ -e "$src/${BASH_REMATCH[1]}-01.png" ]; then
        stem="${BASH_REMATCH[1]}"
        last=$(ls "$src/$stem"-[0-9][0-9].png | sort | tail -1)
        [ "$f" = "$last" ] || continue
        name="$stem"
    fi
    cp "$f" "$dest/$name.png"
    count=$((count + 1))
done
echo "docs_figures: $count figures from $src into $dest"
