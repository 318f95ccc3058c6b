#!/usr/bin/env bash
# Installs what CNNBench needs and is missing: system libraries (Cairo, HDF5, OpenBLAS, oneDNN, zlib),
# the DejaVu font, poppler (pdftoppm, for looking at reports) and Fashion-MNIST. Idempotent.
set -euo pipefail

debian_packages=(libcairo2-dev libhdf5-dev hdf5-tools libopenblas-dev libdnnl-dev zlib1g-dev pkg-config
                 fonts-dejavu-core poppler-utils dataset-fashion-mnist)
brew_packages=(cairo hdf5 openblas zlib pkg-config poppler)

if [[ "$(uname -s)" == "Darwin" ]]; then
    command -v brew >/dev/null || { echo "setup: Homebrew is needed: https://brew.sh" >&2; exit 1; }
    brew install "${brew_packages[@]}"
    exit 0
fi

if ! command -v dpkg-query >/dev/null; then
    echo "setup: not a Debian/Ubuntu system; install by hand: ${debian_packages[*]}" >&2
    exit 1
fi

missing=()
for p in "${debian_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}"
    sudo=""
    if [[ $(id -u) -ne 0 ]]; then
        command -v sudo >/dev/null || { echo "setup: run as root or install sudo" >&2; exit 1; }
        sudo="sudo"
    fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "setup: Swift 6 is needed (https://swift.org/install)" >&2; exit 1; }
echo "setup: system packages present"
