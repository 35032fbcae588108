#!/usr/bin/env bash
# Builds Debian 12's PgBouncer (1.18) from Debian's own source package, with Debian's patches
# and two later upstream fixes (patches/), into build/pgbouncer/bin/pgbouncer.
#
# Why: 1.18 exits with "FATAL … disconnect_client(): bad client state: 0" when a client gives
# up on a cancel request before PgBouncer has forwarded it. asyncpg does exactly that when
# the task running a statement is cancelled while its connection closes, which every replica
# does when it stops; in the test pass through PgBouncer it killed PgBouncer within minutes.
# Upstream fixed it in 1.20 (#846, with #815 before it); Debian 12 has no newer PgBouncer, so
# the tests run Debian's build with those two fixes backported. In production run 1.20 or
# later (docs/deploying.md).
#
# Usage: deploy/pgbouncer/build.sh [OUTPUT_DIR]   (default: build/pgbouncer in the project)
# Needs root for apt-get (as CI and the developers' machines are). Does nothing when the
# binary there was built from the same source and patches.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/../../build/pgbouncer}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

# Debian's source index, for this script only: a deb-src entry in a folder of our own,
# so the machine's apt sources stay as they are.
apt_dir="$out/apt"
mkdir -p "$apt_dir/sources" "$apt_dir/lists/partial"
codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")"
cat >"$apt_dir/sources/debian-src.sources" <<EOF
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: $codename
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
apt_opts=(-o "Dir::Etc::sourcelist=/dev/null" -o "Dir::Etc::sourceparts=$apt_dir/sources"
  -o "Dir::State::lists=$apt_dir/lists" -o "APT::Get::List-Cleanup=0")

stamp_of() {
  { echo "$1"; cat "$here"/patches/*.patch "$here/build.sh"; } | sha256sum | cut -d' ' -f1
}

apt-get "${apt_opts[@]}" update -qq
version="$(apt-cache "${apt_opts[@]}" showsrc pgbouncer | sed -n 's/^Version: //p' | sort -V | tail -n1)"
stamp="$(stamp_of "$version")"
if [ -x "$out/bin/pgbouncer" ] && [ "$(cat "$out/stamp" 2>/dev/null)" = "$stamp" ]; then
  exit 0
fi
echo "building PgBouncer $version from Debian's source with $(ls "$here"/patches | wc -l) upstream fixes"

# What Debian builds it with, less what this build leaves out (systemd, PAM, the manual).
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  gcc make pkg-config libevent-dev libssl-dev libc-ares-dev >/dev/null

work="$(mktemp -d -t supportdesk-build-XXXXXX)"
trap 'rm -rf "$work"' EXIT
# apt checks each file against the signed index; the files are unpacked by hand, so
# dpkg-dev is not needed.
(cd "$work" && apt-get "${apt_opts[@]}" source --download-only -qq "pgbouncer=$version" 2>/dev/null)
tar -xzf "$work"/pgbouncer_*.orig.tar.gz -C "$work"
src="$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'pgbouncer-*' | head -n1)"
tar -xJf "$work"/pgbouncer_*.debian.tar.xz -C "$src"
if [ -f "$src/debian/patches/series" ]; then
  grep -v '^\s*#' "$src/debian/patches/series" | while read -r patch; do
    [ -n "$patch" ] && patch -d "$src" -p1 -s <"$src/debian/patches/$patch"
  done
fi
for patch in "$here"/patches/*.patch; do
  patch -d "$src" -p1 -s <"$patch"
done
if ! (cd "$src" && ./configure --prefix="$out" --without-systemd --with-cares \
  && make -j"$(nproc)" && install -D -m 0755 pgbouncer "$out/bin/pgbouncer") >"$work/build.log" 2>&1; then
  tail -n 40 "$work/build.log" >&2
  exit 1
fi
echo "$stamp" >"$out/stamp"
"$out/bin/pgbouncer" --version | head -n1
