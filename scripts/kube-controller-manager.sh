#!/usr/bin/env bash
# Builds kube-controller-manager v1.20.2 for `npm run test:e2e:controller` (test/e2e/controller: ClusterRole
# aggregation against Kubernetes' own controller), from the same Debian source package and Go as
# ../shared/scripts/kube-apiserver.sh, whose cache it shares. Prints the binary's path on stdout.
# First run: ~10 minutes on 2 cores; later runs: instant (cached). Not part of CI.
#   RBAC_GUARD_E2E_CACHE   cache folder (default: ~/.cache/rbac-guard-e2e)
set -euo pipefail
cache="${RBAC_GUARD_E2E_CACHE:-$HOME/.cache/rbac-guard-e2e}"
bin="$cache/bin/kube-controller-manager"
log() { echo "kube-controller-manager.sh: $*" >&2; }
if [ -x "$bin" ]; then echo "$bin"; exit 0; fi
here="$(cd "$(dirname "$0")" && pwd)"
shared="$here/../../shared/scripts/kube-apiserver.sh"
# the shared script installs Go, etcd and the build tools, and fetches the source package into the cache
if ! ls "$cache"/src/kubernetes_*.dsc >/dev/null 2>&1; then
  [ -f "$shared" ] || { log "no source package in $cache/src and no $shared to fetch it"; exit 1; }
  bash "$shared" >/dev/null
fi
[ -x /usr/lib/go-1.19/bin/go ] || { log "Go 1.19 is missing: run $shared first"; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
dpkg-source -x "$(ls "$cache"/src/kubernetes_*.dsc | head -n1)" tree >&2
log "building kube-controller-manager (first time only)"
( cd tree && PATH=/usr/lib/go-1.19/bin:$PATH make WHAT=cmd/kube-controller-manager >&2 )
mkdir -p "$cache/bin"
cp tree/_output/bin/kube-controller-manager "$bin"
echo "$bin"
