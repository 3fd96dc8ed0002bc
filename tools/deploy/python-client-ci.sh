#!/usr/bin/env bash
# CI for the Python client: proves the contract from a second language. Generates the Python stubs from
# proto/ (protoc + grpc_python_plugin), reads the request limits ((conjugate.v1.limits) options) from them, starts a real nats-server and the four services from this
# repository as processes (tsx) on free loopback ports, runs examples/python/conjugate_client.py against
# them over mutual TLS (certificates made here with openssl, NATS with a token), and stops everything it started. Needs Debian protobuf-compiler, protobuf-compiler-grpc,
# python3-grpcio, python3-protobuf, nats-server (tools/dev/install-system-deps.sh installs them).
set -euo pipefail
cd "$(dirname "$0")/../.."
started=$(date +%s)
work=$(mktemp -d /tmp/conjugate-python-ci.XXXXXX)
pids=()
log() { printf '[python-client-ci %4ss] %s\n' "$(($(date +%s) - started))" "$*"; }

cleanup() {
  status=$?
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
  done
  if [ $status -ne 0 ]; then
    for f in "$work"/*.log; do echo "--- $f"; tail -30 "$f"; done
  fi
  rm -rf "$work"
  log "done (exit $status)"
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
nats_port=$(free_port) data_port=$(free_port) training_port=$(free_port) attack_port=$(free_port) uncertainty_port=$(free_port)
export HOST=127.0.0.1 METRICS_PORT=-1 LOG_LEVEL=warn NATS_URL="nats://127.0.0.1:$nats_port" \
  DATA_SERVICE_ADDRESS="127.0.0.1:$data_port" TRAINING_SERVICE_ADDRESS="127.0.0.1:$training_port" \
  ATTACK_SERVICE_ADDRESS="127.0.0.1:$attack_port" UNCERTAINTY_SERVICE_ADDRESS="127.0.0.1:$uncertainty_port" \
  UNCERTAINTY_SERVICE_ADDRESSES="127.0.0.1:$uncertainty_port" RUNS_DIR="$work/runs"

log "generating Python stubs"
bash examples/python/generate.sh

log "the contract's request limits, read in Python from the generated descriptors"
/usr/bin/python3 examples/python/limits.py

log "making a CA and certificates (openssl, in $work only)"
pki=$work/pki && mkdir -p "$pki"
ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
openssl req -x509 "${ec[@]}" -keyout "$pki/ca-key.pem" -out "$pki/ca.pem" -days 1 -subj /CN=conjugate-ci-ca \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
issue() { # name: a certificate for 127.0.0.1, server and client
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n' >"$pki/$1.ext"
  openssl req -new "${ec[@]}" -keyout "$pki/$1-key.pem" -out "$pki/$1.csr" -subj "/CN=$1" 2>/dev/null
  openssl x509 -req -in "$pki/$1.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca-key.pem" -CAcreateserial -days 1 \
    -extfile "$pki/$1.ext" -out "$pki/$1.pem" 2>/dev/null
}
issue services && issue python-client
# Every service serves mutual TLS and uses the same certificate towards its peers (as in the Helm chart).
export TLS_CERT_FILE="$pki/services.pem" TLS_KEY_FILE="$pki/services-key.pem" TLS_CA_FILE="$pki/ca.pem" TLS_CLIENT_CA_FILE="$pki/ca.pem"
export HEALTHCHECK_SERVER_NAME=localhost # the probes dial 127.0.0.1; the certificate names localhost too

log "starting nats-server (JetStream, token authorization) on $nats_port"
export NATS_TOKEN=$(openssl rand -hex 24)
printf 'authorization { token: "%s" }\n' "$NATS_TOKEN" >"$work/nats.conf" && chmod 600 "$work/nats.conf"
nats-server -js -a 127.0.0.1 -p "$nats_port" -sd "$work/jetstream" -c "$work/nats.conf" >"$work/nats.log" 2>&1 &
pids+=($!)

start() { # app port
  # node itself (not npx → tsx → node), so the pid we stop is the service and nothing outlives this script.
  PORT=$2 node --import tsx "apps/$1/src/main.ts" >"$work/$1.log" 2>&1 &
  pids+=($!)
}
start data-service "$data_port"
start training-service "$training_port"
start attack-service "$attack_port"
start uncertainty-service "$uncertainty_port"

for app_port in data-service:$data_port training-service:$training_port attack-service:$attack_port uncertainty-service:$uncertainty_port; do
  app=${app_port%%:*} port=${app_port##*:}
  for _ in $(seq 1 120); do
    PORT=$port node deploy/docker/healthcheck.cjs 2>/dev/null && break
    sleep 0.5
  done
  PORT=$port node deploy/docker/healthcheck.cjs
  log "$app serving on 127.0.0.1:$port"
done

log "a plaintext health check is refused"
if TLS_CA_FILE= PORT=$data_port node deploy/docker/healthcheck.cjs 2>/dev/null; then echo "plaintext reached a TLS service" >&2; exit 1; fi

log "Python client (mutual TLS)"
env -u TLS_CERT_FILE -u TLS_KEY_FILE -u TLS_CA_FILE /usr/bin/python3 examples/python/conjugate_client.py \
  --data "$DATA_SERVICE_ADDRESS" --training "$TRAINING_SERVICE_ADDRESS" \
  --attack "$ATTACK_SERVICE_ADDRESS" --uncertainty "$UNCERTAINTY_SERVICE_ADDRESS" --epochs 1 --train-limit 256 \
  --tls-ca "$pki/ca.pem" --tls-cert "$pki/python-client.pem" --tls-key "$pki/python-client-key.pem"
log "python client CI passed"

log "Python client: your own TF.js Layers model (examples/python/fixtures/small-cnn)"
env -u TLS_CERT_FILE -u TLS_KEY_FILE -u TLS_CA_FILE /usr/bin/python3 examples/python/own_model.py \
  --attack "$ATTACK_SERVICE_ADDRESS" --uncertainty "$UNCERTAINTY_SERVICE_ADDRESS" --limit 100 --points 4 \
  --tls-ca "$pki/ca.pem" --tls-cert "$pki/python-client.pem" --tls-key "$pki/python-client-key.pem"
log "python own-model CI passed"
