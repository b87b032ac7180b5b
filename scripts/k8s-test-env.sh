#!/usr/bin/env bash
# Provides etcd, kube-apiserver and kube-controller-manager for the real-API-server test tier (DESIGN §8) in a
# cache directory outside the repository, and prints that directory on stdout.
#
#   scripts/k8s-test-env.sh            # reuse cached binaries, else install/build them
#   CSO_K8S_CACHE=/some/dir scripts/k8s-test-env.sh
#
# No registry we can reach ships a kube-apiserver binary, so on Debian this builds v1.20.2 from bookworm's
# `kubernetes` source package with Debian's Go (5-10 minutes on 2 cores), replacing the vendored
# github.com/modern-go/reflect2 1.0.1 (crashes under Go 1.19 on the first custom-resource write) with Debian's
# 1.0.2. etcd comes from Debian's etcd-server package. Binaries in the cache are reused when they run and report
# the expected version; a build only lands in the cache (atomically) once it has fully succeeded. A lock keeps two
# runs from building at once. Progress goes to stderr.
set -euo pipefail

K8S_VERSION=v1.20.2
K8S_SRC_PACKAGE=kubernetes
K8S_SRC_VERSION=1.20.5+really1.20.2   # upstream part of the Debian version; the Debian revision may move
ETCD_MAJOR_MINOR=3.4
SRC_SUITE=bookworm
APT_SRC_LIST=/etc/apt/sources.list.d/cso-k8s-test-env-src.sources
CACHE="${CSO_K8S_CACHE:-$HOME/.cache/claude-session-operator/k8s}"

log() { echo "k8s-test-env: $*" >&2; }
die() { echo "k8s-test-env: ERROR: $*" >&2; exit 1; }

# Prints the version line of a binary, or fails when it does not run.
version_of() {
  [ -x "$1" ] || return 1
  "$1" --version 2>/dev/null | head -n1
}
k8s_ok() { [[ "$(version_of "$CACHE/$1" || true)" == "Kubernetes $K8S_VERSION" ]]; }
etcd_ok() { [[ "$(version_of "$CACHE/etcd" || true)" == "etcd Version: $ETCD_MAJOR_MINOR."* ]]; }
all_ok() { etcd_ok && k8s_ok kube-apiserver && k8s_ok kube-controller-manager; }

report() {
  log "etcd: $(version_of "$CACHE/etcd")"
  log "kube-apiserver: $(version_of "$CACHE/kube-apiserver")"
  log "kube-controller-manager: $(version_of "$CACHE/kube-controller-manager")"
  echo "$CACHE"
}

# Fast path without the lock: everything is there and runs.
if all_ok; then
  report
  exit 0
fi

mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
if ! flock -n 9; then
  log "another run holds $CACHE/.lock (building?); waiting for it"
  flock 9
fi
if all_ok; then   # the run we waited for did the work
  report
  exit 0
fi
# leftovers of a run that was killed (only ever touched while holding the lock)
rm -rf "$CACHE"/.build.* "$CACHE"/.*.tmp.*

# ---- everything below installs or builds, which needs Debian and root (for apt) ----
[ -r /etc/debian_version ] && command -v apt-get >/dev/null 2>&1 && command -v dpkg-source >/dev/null 2>&1 \
  || die "binaries missing in $CACHE and this is not a Debian system with apt-get and dpkg-source.
  Provide them yourself: etcd $ETCD_MAJOR_MINOR.x, kube-apiserver and kube-controller-manager $K8S_VERSION
  (e.g. built from the Kubernetes sources with 'make WHAT=\"cmd/kube-apiserver cmd/kube-controller-manager\"'),
  placed in $CACHE (or point CSO_K8S_CACHE at a directory that holds them)."
command -v flock >/dev/null 2>&1 || die "flock (util-linux) is missing"

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || die "not root and no sudo: run this script as root (it uses apt-get)"
  SUDO=(sudo)
fi

apt_updated=
apt_update() {
  if [ -z "$apt_updated" ]; then
    log "apt-get update"
    apt_run apt-get update -qq
    apt_updated=1
  fi
}
# apt's output goes to a file, shown only when it fails.
apt_log="$(mktemp "${TMPDIR:-/tmp}/cso-k8s-apt.XXXXXX")"
trap 'rm -f "$apt_log"' EXIT
apt_run() {
  if ! "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive "$@" >"$apt_log" 2>&1; then
    tail -n 30 "$apt_log" >&2
    die "$* failed"
  fi
}
apt_install() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  apt_update
  log "apt-get install ${missing[*]}"
  apt_run apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# Copies a file into the cache under its final name atomically (a partial copy never has the final name).
install_into_cache() {
  local from="$1" name="$2"
  cp "$from" "$CACHE/.$name.tmp.$$"
  chmod 755 "$CACHE/.$name.tmp.$$"
  mv -f "$CACHE/.$name.tmp.$$" "$CACHE/$name"
}

# ---- etcd ----
if ! etcd_ok; then
  apt_install etcd-server
  etcd_bin="$(command -v etcd || true)"
  [ -n "$etcd_bin" ] || etcd_bin=/usr/bin/etcd
  [[ "$(version_of "$etcd_bin" || true)" == "etcd Version: $ETCD_MAJOR_MINOR."* ]] \
    || die "$etcd_bin does not report etcd $ETCD_MAJOR_MINOR.x: $(version_of "$etcd_bin" || echo 'does not run')"
  # a copy rather than a symlink: keeps working if the package is removed or upgraded later
  install_into_cache "$etcd_bin" etcd
  etcd_ok || die "etcd copied to $CACHE does not run"
  log "etcd ready: $(version_of "$CACHE/etcd")"
fi

# ---- kube-apiserver, kube-controller-manager ----
if ! { k8s_ok kube-apiserver && k8s_ok kube-controller-manager; }; then
  start=$(date +%s)
  # the source package's Build-Depends that matter here (rsync and jq are used by hack/ scripts)
  apt_install golang-go golang-github-modern-go-reflect2-dev make dpkg-dev rsync jq
  go_version="$(go version 2>/dev/null || true)"
  [ -n "$go_version" ] || die "go does not run after installing golang-go"
  [[ "$go_version" == *go1.19* ]] || log "warning: measured with Go 1.19 (bookworm); this is '$go_version'"
  reflect2_src=/usr/share/gocode/src/github.com/modern-go/reflect2
  [ -f "$reflect2_src/reflect2.go" ] || die "$reflect2_src missing after installing golang-github-modern-go-reflect2-dev"

  # A deb-src entry for bookworm, unless apt already knows the source package.
  if ! apt-cache showsrc "$K8S_SRC_PACKAGE" 2>/dev/null | grep -q "^Version: $K8S_SRC_VERSION"; then
    if [ ! -e "$APT_SRC_LIST" ]; then
      log "adding $APT_SRC_LIST (deb-src for $SRC_SUITE)"
      "${SUDO[@]}" tee "$APT_SRC_LIST" >/dev/null <<EOF
# added by claude-session-operator scripts/k8s-test-env.sh: the kubernetes source package, to build test binaries
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: $SRC_SUITE
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    fi
    apt_updated=
    apt_update
  fi
  src_version="$(apt-cache showsrc "$K8S_SRC_PACKAGE" 2>/dev/null | sed -n "s/^Version: \($K8S_SRC_VERSION.*\)/\1/p" | head -n1)"
  [ -n "$src_version" ] || die "apt knows no source package $K8S_SRC_PACKAGE $K8S_SRC_VERSION* (deb-src for $SRC_SUITE in $APT_SRC_LIST)"

  # the build tree (about 2 GB with Go's build cache) lives beside the cache and is removed afterwards
  work="$(mktemp -d "$CACHE/.build.XXXXXX")"
  cleanup() { rm -rf "$work" "$apt_log"; }
  trap cleanup EXIT
  trap 'cleanup; exit 130' INT TERM

  log "downloading source package $K8S_SRC_PACKAGE=$src_version"
  # as root apt would fall back to an unsandboxed download with a warning (its _apt user cannot write here)
  sandbox=()
  [ "$(id -u)" -eq 0 ] && sandbox=(-o APT::Sandbox::User=root)
  (cd "$work" && apt-get source --download-only -qq "${sandbox[@]}" "$K8S_SRC_PACKAGE=$src_version" >&2) \
    || die "apt-get source --download-only $K8S_SRC_PACKAGE=$src_version failed"
  log "unpacking (applying Debian's patches)"
  (cd "$work" && dpkg-source -x ./*.dsc kubernetes >/dev/null 2>&1) || die "dpkg-source -x failed"
  tree="$work/kubernetes"
  [ -d "$tree/vendor/github.com/modern-go/reflect2" ] || die "unexpected source tree: no vendor/github.com/modern-go/reflect2"

  log "replacing vendor/github.com/modern-go/reflect2 with Debian's $(dpkg-query -W -f='${Version}' golang-github-modern-go-reflect2-dev)"
  rm -rf "$tree/vendor/github.com/modern-go/reflect2"
  mkdir -p "$tree/vendor/github.com/modern-go/reflect2"
  # only the sources: the package's go.mod would make a nested module inside vendor/
  find "$reflect2_src" -maxdepth 1 -type f \( -name '*.go' -o -name '*.s' \) ! -name '*_test.go' \
    -exec cp {} "$tree/vendor/github.com/modern-go/reflect2/" \;

  mkdir -p "$work/gopath/src/k8s.io" "$work/gocache" "$work/home"
  ln -s "$tree" "$work/gopath/src/k8s.io/kubernetes"

  log "building kube-apiserver and kube-controller-manager $K8S_VERSION (5-10 minutes on 2 cores; log: $work/build.log while it runs)"
  if ! (cd "$work/gopath/src/k8s.io/kubernetes" \
        && nice -n 10 env -u GOFLAGS -u GO111MODULE -u GOROOT HOME="$work/home" GOPATH="$work/gopath" GOCACHE="$work/gocache" \
             CGO_ENABLED=0 make WHAT="cmd/kube-apiserver cmd/kube-controller-manager" >"$work/build.log" 2>&1); then
    tail -n 40 "$work/build.log" >&2
    die "the Kubernetes build failed (last lines above)"
  fi
  for b in kube-apiserver kube-controller-manager; do
    built="$tree/_output/bin/$b"
    [[ "$(version_of "$built" || true)" == "Kubernetes $K8S_VERSION" ]] \
      || die "built $b does not report $K8S_VERSION: $(version_of "$built" || echo 'does not run')"
  done
  for b in kube-apiserver kube-controller-manager; do
    install_into_cache "$tree/_output/bin/$b" "$b"
  done
  cleanup
  trap - EXIT
  k8s_ok kube-apiserver && k8s_ok kube-controller-manager || die "binaries copied to $CACHE do not run"
  elapsed=$(( $(date +%s) - start ))
  log "built $K8S_VERSION in $((elapsed / 60))m$((elapsed % 60))s"
fi

report
