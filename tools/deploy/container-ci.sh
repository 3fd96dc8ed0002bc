#!/usr/bin/env bash
# CI for the container images and docker compose, on a machine without a container registry:
#  1. installs Debian's docker.io, docker-compose and debootstrap (if missing);
#  2. starts a private dockerd (no bridge, no iptables; its own socket and data root): overlay2 storage
#     where it works (it does here), else vfs. The data root is kept in the cache between runs — deleting
#     it costs minutes on this filesystem, and keeping it keeps the dependency layer cached;
#  3. makes a local base image: debootstrap'd Debian bookworm (minbase) with nats-server from Debian and
#     the host's own Node 20 binary and npm copied in (Debian bookworm ships Node 18; the official
#     node:20-bookworm-slim image cannot be pulled here) — cached between runs;
#  4. builds every app's image from deploy/docker/Dockerfile with BASE_IMAGE set to that base;
#  5. starts the stack with deploy/compose (host network, loopback ports), waits for every HEALTHCHECK;
#  6. drives it from outside the containers: the Python client (datasets, a tiny run, its checkpoint, an
#     attack, an estimate), then the CLI (`conjugate run --preset tiny --epochs 1 --follow`, `conjugate runs`);
#  7. stops the stack and dockerd (also on failure or timeout).
# Bounded: the whole script stops itself after CONTAINER_CI_TIMEOUT seconds (default 900).
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
started=$(date +%s)
work=${CONTAINER_CI_DIR:-/tmp/conjugate-container-ci}
cache=${CONJUGATE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/conjugate}
base_image=local/conjugate-base:bookworm-node-$(node --version)
apps=(data-service training-service attack-service uncertainty-service dashboard)
timeout_seconds=${CONTAINER_CI_TIMEOUT:-900}

log() { printf '[container-ci %4ss] %s\n' "$(($(date +%s) - started))" "$*"; }

# --- 1. Debian packages ---------------------------------------------------------------------------
missing=()
for p in docker.io docker-compose debootstrap; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# Debian's client, matching Debian's daemon (another docker may sit earlier in PATH).
docker=/usr/bin/docker
export DOCKER_HOST="unix://$work/docker.sock"

# --- 2. a private dockerd ---------------------------------------------------------------------------
cleanup() {
  status=$?
  trap - EXIT INT TERM
  # The watchdog's sleep must go too: an orphaned sleep would hold CI's output open until it ends.
  [ -n "${watchdog:-}" ] && { pkill -P "$watchdog" 2>/dev/null; kill "$watchdog" 2>/dev/null; } || true
  if [ -S "$work/docker.sock" ]; then
    if [ $status -ne 0 ]; then
      log "failure: last lines of each container's log"
      for c in $($docker ps -aq 2>/dev/null); do
        echo "--- $($docker inspect -f '{{.Name}} {{.State.Status}} health={{if .State.Health}}{{.State.Health.Status}}{{end}}' "$c")"
        $docker logs --tail 30 "$c" 2>&1 || true
      done
    fi
    docker-compose "${compose[@]}" down --volumes --timeout 10 >/dev/null 2>&1 || true
    # The images this run replaced (the data root is kept: see 2.).
    $docker image prune -f >/dev/null 2>&1 || true
  fi
  if [ -f "$work/dockerd.pid" ]; then
    pid=$(cat "$work/dockerd.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  umount "$work/exec/netns/default" 2>/dev/null || true
  rm -rf "$work/exec" 2>/dev/null || true
  log "done (exit $status) after $(($(date +%s) - started)) s"
  exit $status
}
compose=(-p conjugate-ci -f deploy/compose/compose.yaml -f deploy/compose/compose.loopback.yaml)
trap cleanup EXIT
trap 'exit 130' INT TERM
# bash runs the trap only once the foreground command ends: end that command (our child, by parent pid) too.
( sleep "$timeout_seconds"; echo "[container-ci] timed out after $timeout_seconds s" >&2; kill -TERM $$; pkill -TERM -P $$ ) &
watchdog=$!

mkdir -p "$work" "$cache"
if [ -f "$work/dockerd.pid" ] && kill -0 "$(cat "$work/dockerd.pid")" 2>/dev/null; then
  echo "a dockerd from an earlier run still holds $work (pid $(cat "$work/dockerd.pid")); stop it first" >&2
  exit 1
fi
umount "$work/exec/netns/default" 2>/dev/null || true
rm -rf "$work/exec"
start_dockerd() { # storage driver
  data_root="$cache/docker-$1"
  log "starting dockerd ($1 storage, data root $data_root, socket $work/docker.sock)"
  dockerd --storage-driver="$1" --iptables=false --ip-forward=false --ip-masq=false --bridge=none \
    -H "$DOCKER_HOST" --data-root "$data_root" --exec-root "$work/exec" --pidfile "$work/dockerd.pid" \
    >"$work/dockerd.log" 2>&1 &
  for _ in $(seq 1 100); do $docker info >/dev/null 2>&1 && return 0; kill -0 $! 2>/dev/null || break; sleep 0.2; done
  $docker info >/dev/null 2>&1
}
stop_dockerd() {
  pid=$(cat "$work/dockerd.pid" 2>/dev/null) || return 0
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  umount "$work/exec/netns/default" 2>/dev/null || true
  rm -f "$work/dockerd.pid"
}
driver=${CONTAINER_CI_STORAGE_DRIVER:-overlay2}
if ! start_dockerd "$driver"; then
  [ "$driver" = vfs ] && { tail -20 "$work/dockerd.log"; exit 1; }
  log "dockerd with $driver storage failed ($(tail -1 "$work/dockerd.log")): falling back to vfs"
  stop_dockerd
  driver=vfs
  start_dockerd vfs || { tail -20 "$work/dockerd.log"; exit 1; }
fi

# --- 3. the local base image -------------------------------------------------------------------------
node_version=$(node --version)
base_tar="$cache/base-bookworm-node-${node_version}.tar"
if [ ! -f "$base_tar" ]; then
  log "debootstrap bookworm (minbase + nats-server, ca-certificates) and host Node $node_version"
  rootfs="$work/rootfs"
  rm -rf "$rootfs"
  debootstrap --variant=minbase --include=nats-server,ca-certificates bookworm "$rootfs" http://deb.debian.org/debian \
    >"$work/debootstrap.log" 2>&1 || { tail -20 "$work/debootstrap.log"; exit 1; }
  node_bin=$(readlink -f "$(command -v node)")
  npm_dir=$(cd "$(dirname "$(readlink -f "$(command -v npm)")")/.." && pwd)
  install -m 0755 "$node_bin" "$rootfs/usr/bin/node"
  mkdir -p "$rootfs/usr/lib/node_modules" "$rootfs/usr/etc"
  cp -a "$npm_dir" "$rootfs/usr/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/bin/npx"
  # The host's trust store, so npm inside the build reaches the registry exactly as the host does.
  cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
  printf 'cafile=/etc/ssl/certs/ca-certificates.crt\n' >"$rootfs/usr/etc/npmrc"
  rm -rf "$rootfs/var/cache/apt/archives"/*.deb "$rootfs/var/lib/apt/lists"/*
  tar -C "$rootfs" -cf "$base_tar.partial" . && mv "$base_tar.partial" "$base_tar"
  rm -rf "$rootfs"
fi
# Imported once per data root: a new import would be a new image and void the build cache.
$docker image inspect "$base_image" >/dev/null 2>&1 || $docker import "$base_tar" "$base_image" >/dev/null
$docker run --rm --network none "$base_image" sh -c 'node --version && nats-server --version' | sed 's/^/  base image: /'

# --- 4. images -----------------------------------------------------------------------------------------
for app in "${apps[@]}"; do
  [ -f "apps/$app/src/main.ts" ] || { echo "apps/$app/src/main.ts is missing" >&2; exit 1; }
  log "building conjugate/$app"
  DOCKER_BUILDKIT=1 $docker build --network host --progress plain -f deploy/docker/Dockerfile \
    --build-arg BASE_IMAGE="$base_image" --build-arg APP="$app" -t "conjugate/$app:ci" . >"$work/build-$app.log" 2>&1 \
    || { tail -40 "$work/build-$app.log"; exit 1; }
  grep -h '^#[0-9]* [0-9.]* tfjs-node:' "$work/build-$app.log" | sed 's/^#[0-9]* [0-9.]* /  /' || true
done
$docker images --format '  {{.Repository}}:{{.Tag}} {{.Size}}' | grep conjugate/ || true

# --- 5. the stack -------------------------------------------------------------------------------------
# Six distinct free ports at once (sockets held open together): one at a time, two could be the same port.
read -r NATS_PORT DATA_SERVICE_PORT TRAINING_SERVICE_PORT ATTACK_SERVICE_PORT UNCERTAINTY_SERVICE_PORT DASHBOARD_PORT < <(python3 -c '
import socket
held = [socket.socket() for _ in range(6)]
for s in held: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in held))')
export IMAGE_TAG=ci NATS_IMAGE=$base_image BASE_IMAGE=$base_image LOG_LEVEL=info
export NATS_PORT DATA_SERVICE_PORT TRAINING_SERVICE_PORT ATTACK_SERVICE_PORT UNCERTAINTY_SERVICE_PORT DASHBOARD_PORT
log "starting the stack (NATS $NATS_PORT, data $DATA_SERVICE_PORT, training $TRAINING_SERVICE_PORT, attack $ATTACK_SERVICE_PORT, uncertainty $UNCERTAINTY_SERVICE_PORT, dashboard $DASHBOARD_PORT)"
docker-compose "${compose[@]}" up -d --no-build 2>&1 | sed 's/^/  /'
for app in "${apps[@]}"; do
  container=$(docker-compose "${compose[@]}" ps -q "$app")
  for _ in $(seq 1 120); do
    health=$($docker inspect -f '{{.State.Health.Status}}' "$container")
    [ "$health" = healthy ] && break
    [ "$($docker inspect -f '{{.State.Running}}' "$container")" = true ] || { echo "$app exited" >&2; exit 1; }
    sleep 1
  done
  [ "$health" = healthy ] || { echo "$app is $health after 120 s" >&2; exit 1; }
  log "$app: healthy (HEALTHCHECK)"
done

# --- 6. a short run from outside the containers ---------------------------------------------------------
log "Python client against the containers"
bash examples/python/generate.sh >/dev/null
/usr/bin/python3 examples/python/conjugate_client.py \
  --data "127.0.0.1:$DATA_SERVICE_PORT" --training "127.0.0.1:$TRAINING_SERVICE_PORT" \
  --attack "127.0.0.1:$ATTACK_SERVICE_PORT" --uncertainty "127.0.0.1:$UNCERTAINTY_SERVICE_PORT" \
  --epochs 1 --train-limit 256 | sed 's/^/  /'
log "CLI against the containers: a tiny run, followed to its end, then the run list"
export CONJUGATE_STACK_FILE="$work/no-stack.json" \
  CONJUGATE_DATA_ADDR="127.0.0.1:$DATA_SERVICE_PORT" CONJUGATE_TRAINING_ADDR="127.0.0.1:$TRAINING_SERVICE_PORT" \
  CONJUGATE_ATTACK_ADDR="127.0.0.1:$ATTACK_SERVICE_PORT" CONJUGATE_UNCERTAINTY_ADDR="127.0.0.1:$UNCERTAINTY_SERVICE_PORT"
npx tsx apps/cli/src/main.ts run --preset tiny --epochs 1 --follow | sed 's/^/  /'
npx tsx apps/cli/src/main.ts runs | sed 's/^/  /'
log "container CI passed"
