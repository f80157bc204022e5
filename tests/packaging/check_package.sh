#!/usr/bin/env bash
# The systemd unit and the Debian package, checked against this build:
#   1. systemd-analyze verify accepts packaging/mcpwatch.service (a copy whose ExecStart names
#      the built binary, since /usr/bin/mcpwatch exists only once the package is installed), and
#      systemd-analyze security scores its hardening no worse than 2.0;
#   2. the packaged config passes `mcpwatch check-config`;
#   3. cpack builds the .deb; its files, conffiles and computed Depends are what we ship;
#   4. as root, the .deb installs with dpkg -i, /usr/bin/mcpwatch --version runs, and the
#      package is purged again. Skipped (said so on stdout) when not root, or when an mcpwatch
#      package is already installed (a real install is never replaced or removed by a test).
# Usage: check_package.sh SOURCE_DIR BUILD_DIR MCPWATCH_BINARY
set -euo pipefail
src=$1 build=$2 bin=$3
work=$(mktemp -d)
installed_by_us=0
cleanup() {
  if [ "$installed_by_us" = 1 ]; then dpkg --purge mcpwatch >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

echo "== systemd-analyze verify"
sed "s|^ExecStart=/usr/bin/mcpwatch |ExecStart=$bin |" "$src/packaging/mcpwatch.service" \
  >"$work/mcpwatch.service"
grep -q "^ExecStart=$bin serve" "$work/mcpwatch.service" || fail "ExecStart not rewritten"
if ! out=$(systemd-analyze verify "$work/mcpwatch.service" 2>&1) || [ -n "$out" ]; then
  echo "$out" >&2
  fail "systemd-analyze verify rejected the unit"
fi
# The exposure score `systemd-analyze security` gives the hardening (0 best, 10 worst; 1.4 when
# written): fail if an edit weakens it past 2.0.
systemd-analyze security --offline=true --threshold=20 "$work/mcpwatch.service" >"$work/security.log" 2>&1 ||
  { cat "$work/security.log" >&2; fail "hardening weakened (exposure above 2.0)"; }
grep -o "Overall exposure level.*" "$work/security.log" || true
for key in Type=notify DynamicUser=yes StateDirectory=mcpwatch WatchdogSec= \
           "ExecStart=/usr/bin/mcpwatch serve --config /etc/mcpwatch/mcpwatch.yaml" \
           NoNewPrivileges=yes ProtectSystem=strict "CapabilityBoundingSet=$"; do
  grep -q "^$key" "$src/packaging/mcpwatch.service" || fail "unit lacks $key"
done

echo "== packaged config"
"$bin" check-config "$src/packaging/mcpwatch.yaml" || fail "packaging/mcpwatch.yaml is invalid"

echo "== cpack"
cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/pkg" >"$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log" >&2; fail "cpack failed"; }
deb=$(ls "$work"/pkg/mcpwatch_*.deb)
contents=$(dpkg-deb --contents "$deb")
for f in ./usr/bin/mcpwatch ./lib/systemd/system/mcpwatch.service ./etc/mcpwatch/mcpwatch.yaml \
         ./usr/share/doc/mcpwatch/README.md ./usr/share/doc/mcpwatch/examples/mcpwatch.yaml; do
  grep -q " $f\$" <<<"$contents" || { echo "$contents" >&2; fail "the .deb lacks $f"; }
done
dpkg-deb --info "$deb" conffiles | grep -qx /etc/mcpwatch/mcpwatch.yaml ||
  fail "/etc/mcpwatch/mcpwatch.yaml is not a conffile"
depends=$(dpkg-deb --field "$deb" Depends)
echo "Depends: $depends"
for lib in libc6 libcurl4 libsqlite3-0 libsystemd0 libyaml-cpp; do
  grep -q "$lib" <<<"$depends" || fail "Depends lacks $lib (dpkg-shlibdeps did not run?)"
done
[ "$(dpkg-deb --field "$deb" Package)" = mcpwatch ] || fail "package name"

echo "== dpkg -i"
if [ "$(id -u)" -ne 0 ]; then
  echo "skipped: not root"
  exit 0
fi
# Serialised with the same test run from other checkouts on this machine (held until exit).
exec 9>/tmp/mcpwatch-dpkg-test.lock
flock 9
if dpkg-query -W -f='${Status}' mcpwatch 2>/dev/null | grep -q "installed"; then
  echo "skipped: an mcpwatch package is already installed here; it is left alone"
  exit 0
fi
installed_by_us=1
dpkg -i "$deb" >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log" >&2; fail "dpkg -i failed"; }
version=$(/usr/bin/mcpwatch --version)
echo "$version"
[ "$version" = "mcpwatch $(dpkg-deb --field "$deb" Version)" ] || fail "unexpected --version"
/usr/bin/mcpwatch check-config /etc/mcpwatch/mcpwatch.yaml || fail "installed config invalid"
[ -f /lib/systemd/system/mcpwatch.service ] || fail "unit not installed"
dpkg --purge mcpwatch >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log" >&2; fail "purge failed"; }
installed_by_us=0
[ ! -e /usr/bin/mcpwatch ] && [ ! -e /etc/mcpwatch/mcpwatch.yaml ] || fail "purge left files"
echo "ok"
