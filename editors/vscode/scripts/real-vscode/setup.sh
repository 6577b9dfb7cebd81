#!/usr/bin/env bash
# Install a real VS Code to check the extension in, without downloads outside npm: code-server
# 4.100.3 (VS Code 1.100, needs Node 20) and puppeteer-core (drives the system Chromium;
# Debian: apt-get install chromium fonts-noto-cjk). Native modules are built from source
# (needs make, g++, python3); @vscode/ripgrep's binary download is skipped (search is off).
# Usage: setup.sh [DIR]   (default ~/.cache/electra-lsp-real-vscode)
set -euo pipefail
DIR=${1:-$HOME/.cache/electra-lsp-real-vscode}
mkdir -p "$DIR"
cd "$DIR"
[ -f package.json ] || echo '{"name": "real-vscode", "private": true}' > package.json
npm install --no-audit --no-fund --ignore-scripts code-server@4.100.3 puppeteer-core@24
npm rebuild argon2
cd node_modules/code-server/lib/vscode
npm install --no-audit --no-fund --omit=dev --ignore-scripts
# node-pty's post-install step fails after its module is built; terminals are not needed.
npm rebuild @parcel/watcher @vscode/spdlog native-watchdog node-pty || true
test -f node_modules/@vscode/spdlog/build/Release/spdlog.node
ln -sfn node_modules node_modules.asar
echo "code-server ready: $DIR/node_modules/code-server/out/node/entry.js"
