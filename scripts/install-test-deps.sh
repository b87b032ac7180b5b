#!/usr/bin/env bash
# Installs what the test suite runs for real: redis-server and a kubectl (Debian packages redis-server and
# kubernetes-client, each only when its command is missing), the pinned claude CLI (npm, into the git-ignored
# .tools/claude) and the Kubernetes control plane binaries of the real-API-server tests (scripts/k8s-test-env.sh:
# cached outside the repo; the first build takes ~10 min). Idempotent; safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."

CLAUDE_CODE_VERSION="$(cat .claude-code-version)"

# Installs a Debian package for a command that is missing (root only; otherwise says what to run).
apt_updated=
apt_install_for() {
  local command=$1 package=$2
  command -v "$command" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "$command is missing: run 'sudo apt-get install $package' (or this script as root)" >&2
    exit 1
  fi
  if [ -z "$apt_updated" ]; then
    apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null
}

apt_install_for redis-server redis-server
# any kubectl will do (the real-API-server tests only use version-independent commands); Debian's when none
apt_install_for kubectl kubernetes-client

bin=.tools/claude/node_modules/.bin/claude
if [ ! -x "$bin" ] || [ "$("$bin" --version 2>/dev/null | cut -d' ' -f1)" != "$CLAUDE_CODE_VERSION" ]; then
  command -v npm >/dev/null 2>&1 || { echo "npm is missing: install Node.js and npm" >&2; exit 1; }
  mkdir -p .tools/claude
  npm install --silent --no-audit --no-fund --prefix .tools/claude "@anthropic-ai/claude-code@${CLAUDE_CODE_VERSION}"
fi
echo "redis-server: $(redis-server --version | cut -d' ' -f3)"
echo "claude: $("$bin" --version)"
echo "kubectl: $(command -v kubectl) ($(kubectl version --client 2>/dev/null | head -n1))"
echo "kubernetes binaries: $(./scripts/k8s-test-env.sh)"
