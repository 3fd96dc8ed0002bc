#!/usr/bin/env bash
# Debian packages the tests and the main job use (all from Debian's own repositories):
#   nats-server            the NATS server with JetStream (bus tests, end-to-end test)
#   dataset-fashion-mnist  the Fashion-MNIST IDX files under /usr/share/datasets/fashion-mnist
#   chromium               headless browser for the dashboard tests (driven by playwright-core)
#   fonts-dejavu-core      a font, so text in the report PNGs (rendered by resvg) is drawn
#   protobuf-compiler, protobuf-compiler-grpc, python3-grpcio, python3-protobuf
#                          the Python client generated from proto/ (examples/python)
set -euo pipefail
packages=(nats-server dataset-fashion-mnist chromium fonts-dejavu-core protobuf-compiler protobuf-compiler-grpc python3-grpcio python3-protobuf)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
