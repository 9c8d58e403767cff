#!/usr/bin/env bash
# Builds the PostgreSQL and RabbitMQ images the container-mode tests run, for a machine that reaches
# no container registry but does reach Debian's package mirror:
#   local/debian:bookworm         a debootstrap minbase root file system, imported as a base image
#   edupulse-test/postgres:15     Debian's postgresql-15, a stand-in for the official postgres image
#   edupulse-test/rabbitmq:3      Debian's rabbitmq-server, a stand-in for the official rabbitmq image
# Installs docker.io and debootstrap if missing and starts dockerd if no engine answers.
# Idempotent: an image is rebuilt only when it is missing or its build folder (or the base image)
# changed since it was built; the fingerprint is kept in the image label edupulse.build-hash.
set -euo pipefail
cd "$(dirname "$0")"

BASE_IMAGE=local/debian:bookworm
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
HASH_LABEL=edupulse.build-hash

log() { printf '[images] %s\n' "$*"; }

apt_install() {  # apt_install <package...>; refreshes the package lists only if the first try fails
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends "$@" >/dev/null \
    || { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends "$@" >/dev/null; }
}

ensure_tools() {
  local missing=()
  [ -x /usr/sbin/dockerd ] || missing+=(docker.io)
  command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    apt_install "${missing[@]}"
  fi
}

ensure_engine() {
  if docker info >/dev/null 2>&1; then return 0; fi
  log "starting dockerd (log: /tmp/dockerd.log)"
  nohup /usr/sbin/dockerd >/tmp/dockerd.log 2>&1 &
  for _ in $(seq 60); do
    if docker info >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  log "dockerd did not answer within 60s; its log ends with:"; tail -n 20 /tmp/dockerd.log >&2
  return 1
}

image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

ensure_base_image() {
  if image_exists "$BASE_IMAGE"; then return 0; fi
  log "building $BASE_IMAGE with debootstrap from $MIRROR"
  local rootfs
  rootfs=$(mktemp -d /tmp/edupulse-rootfs.XXXXXX)
  if ! debootstrap --variant=minbase bookworm "$rootfs" "$MIRROR" >/tmp/debootstrap.log 2>&1; then
    tail -n 20 /tmp/debootstrap.log >&2; rm -rf "$rootfs"; return 1
  fi
  # Package sources with updates and security fixes, as Debian's own container images have them.
  rm -f "$rootfs/etc/apt/sources.list"
  cat >"$rootfs/etc/apt/sources.list.d/debian.sources" <<SOURCES
Types: deb
URIs: ${MIRROR}
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${MIRROR}-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
  # Packages must not try to start their services while an image is built.
  printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"
  chmod 755 "$rootfs/usr/sbin/policy-rc.d"
  printf 'APT::Install-Recommends "false";\n' >"$rootfs/etc/apt/apt.conf.d/90no-recommends"
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/archives/*.deb
  tar -C "$rootfs" -c . | docker import -c 'CMD ["/bin/bash"]' - "$BASE_IMAGE" >/dev/null
  rm -rf "$rootfs"
}

build_hash() {  # build_hash <folder>: fingerprint of the folder's files and of the base image
  {
    docker image inspect -f '{{.Id}}' "$BASE_IMAGE"
    (cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
  } | sha256sum | cut -c1-16
}

ensure_image() {  # ensure_image <tag> <folder>
  local tag=$1 dir=$2 want have
  want=$(build_hash "$dir")
  have=$(docker image inspect -f "{{ index .Config.Labels \"$HASH_LABEL\" }}" "$tag" 2>/dev/null || true)
  if [ "$have" = "$want" ]; then
    log "$tag is up to date"
    return 0
  fi
  local build_log=/tmp/edupulse-build-${dir}.log
  log "building $tag from $dir (log: $build_log)"
  if ! docker build --label "$HASH_LABEL=$want" -t "$tag" "$dir" >"$build_log" 2>&1; then
    tail -n 30 "$build_log" >&2; return 1
  fi
}

ensure_tools
ensure_engine
ensure_base_image
ensure_image edupulse-test/postgres:15 postgres
ensure_image edupulse-test/rabbitmq:3 rabbitmq
