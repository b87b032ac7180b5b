#!/usr/bin/env bash
# Installs what the test suite runs for real: redis-server (Debian package), the pinned claude CLI
# (npm, into the git-ignored .tools/claude) and the Kubernetes control plane binaries of the real-API-server tests
# (scripts/k8s-test-env.sh: cached outside the repo; the first build takes ~10 min). Idempotent; safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."

CLAUDE_CODE_VERSION="$(cat .claude-code-version)"

if ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "redis-server is missing: run 'sudo apt-get install redis-server' (or this script as root)" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
fi

bin=.tools/claude/node_modules/.bin/claude
if [ ! -x "$bin" ] || [ "$("$bin" --version 2>/dev/null | cut -d' ' -f1)" != "$CLAUDE_CODE_VERSION" ]; then
  command -v npm >/dev/null 2>&1 || { echo "npm is missing: install Node.js and npm" >&2; exit 1; }
  mkdir -p .tools/claude
  npm install --silent --no-audit --no-fund --prefix .tools/claude "@anthropic-ai/claude-code@${CLAUDE_CODE_VERSION}"
fi
echo "redis-server: $(redis-server --version | cut -d' ' -f3)"
echo "claude: $("$bin" --version)"
echo "kubernetes binaries: $(./scripts/k8s-test-env.sh)"
