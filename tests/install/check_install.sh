#!/usr/bin/env bash
# Usage: check_install.sh BUILD_DIR. Installs into a temporary prefix, checks what landed there,
# then builds the .deb with cpack into a temporary directory and lists it with dpkg -c.
set -euo pipefail
build=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$tmp/usr" --strip >/dev/null
p=$tmp/usr
[[ -x $p/bin/camdump ]] || fail "bin/camdump missing"
if readelf -S "$p/bin/camdump" | grep -q '\.symtab'; then fail "bin/camdump is not stripped"; fi
"$p/bin/camdump" --version | grep -qx 'camdump [0-9.]*' || fail "installed camdump --version"
"$p/bin/camdump" ports --json >/dev/null || fail "installed camdump ports"

man=$p/share/man/man1/camdump.1.gz
[[ -f $man ]] || fail "man page missing"
gzip -t "$man" || fail "man page is not gzip"
# Read the page once: `zcat | grep -q` fails under pipefail once the page outgrows the pipe buffer
# (grep quits at the first match and zcat dies of SIGPIPE).
page=$(zcat "$man")
grep -q '^\.TH CAMDUMP 1' <<<"$page" || fail "man page has no .TH"
grep -q 'camdump dump uart PORT' <<<"$page" || fail "man page lacks dump uart"
if command -v man >/dev/null; then MANPAGER=cat man -l "$man" >/dev/null 2>&1 || fail "man -l cannot render camdump.1"; fi

bashc=$p/share/bash-completion/completions/camdump
[[ -f $bashc ]] || fail "bash completion missing"
bash -n "$bashc" || fail "bash completion does not parse"
[[ -f $p/share/zsh/vendor-completions/_camdump ]] || fail "zsh completion missing"
[[ -f $p/share/fish/vendor_completions.d/camdump.fish ]] || fail "fish completion missing"
grep -q 'uart' "$bashc" || fail "bash completion lacks the routes"

rule=$p/lib/udev/rules.d/70-camdump-ch341a.rules
[[ -f $rule ]] || fail "udev rule missing"
grep -q 'ATTR{idVendor}=="1a86", ATTR{idProduct}=="5512"' "$rule" || fail "udev rule does not match 1a86:5512"
grep -q 'TAG+="uaccess"' "$rule" || fail "udev rule lacks uaccess"
grep -q 'GROUP="plugdev"' "$rule" || fail "udev rule lacks the plugdev fallback"
[[ -f $p/share/doc/camdump/cli.md && -f $p/share/doc/camdump/README.md ]] || fail "docs missing"

# The Debian package, built outside the build tree's own package directory.
(cd "$build" && cpack -G DEB -B "$tmp/deb" >"$tmp/cpack.log" 2>&1) || { cat "$tmp/cpack.log" >&2; fail "cpack -G DEB"; }
deb=$(ls "$tmp"/deb/*.deb)
dpkg -c "$deb" >"$tmp/list"
for f in ./usr/bin/camdump ./usr/share/man/man1/camdump.1.gz ./usr/lib/udev/rules.d/70-camdump-ch341a.rules \
         ./usr/share/bash-completion/completions/camdump ./usr/share/zsh/vendor-completions/_camdump \
         ./usr/share/fish/vendor_completions.d/camdump.fish ./usr/share/doc/camdump/cli.md; do
  grep -q " $f\$" "$tmp/list" || fail "the .deb lacks $f"
done
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libserialport0 libusb-1.0-0 libfmt libssl libsquashfs libc6; do
  [[ $depends == *"$lib"* ]] || fail "the .deb's Depends lacks $lib: $depends"
done
echo "install tree and $(basename "$deb") ok; Depends: $depends"
