#!/usr/bin/env bash
# The root filesystem every service image is built on (make images), without a Docker engine or a registry: a Java
# runtime made by jlink from this machine's JDK, the shared libraries it and the native parts of the libraries
# (RocksDB, zstd, snappy) load, a static busybox for health checks, an unprivileged user and /tmp. Jib lays the
# service's jar layers on top (from "scratch"). Written to target/image-base; rebuilt only when the JDK changes.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/target/image-base
JDK=$("$ROOT/scripts/find-jdk.sh")
STAMP="$JDK $("$JDK/bin/java" -version 2>&1 | head -1)"

if [ -f "$OUT/.stamp" ] && [ "$(cat "$OUT/.stamp")" = "$STAMP" ]; then
  echo "image base is up to date: $OUT"
  exit 0
fi
rm -rf "$OUT"
mkdir -p "$OUT/opt" "$OUT/etc" "$OUT/tmp" "$OUT/bin" "$OUT/var/lib/analytics" "$ROOT/target/image-base-work"

# the modules the services use: Java SE, sun.misc.Unsafe (Kafka, Netty), JMX and process metrics, JFR for profiles,
# every locale's formats (the bot speaks Russian), DNS, zip file systems
"$JDK/bin/jlink" --add-modules java.se,jdk.unsupported,jdk.management,jdk.management.agent,jdk.jfr,jdk.localedata,\
jdk.charsets,jdk.crypto.cryptoki,jdk.naming.dns,jdk.zipfs,jdk.net \
  --strip-debug --no-header-files --no-man-pages --output "$OUT/opt/java"

# headless: no window system nor sound (java.desktop stays, for java.beans, which Spring uses)
rm -f "$OUT"/opt/java/lib/libawt_xawt.so "$OUT"/opt/java/lib/libjsound.so "$OUT"/opt/java/lib/libsplashscreen.so

# every shared library of the system the runtime needs, and the C++ runtime for RocksDB's and snappy's native code
libs=$( { find "$OUT/opt/java" -name '*.so' -exec ldd {} \; 2>/dev/null; ldd "$OUT/opt/java/bin/java"; } \
  | awk '/=> \//{print $3} /^\s*\/lib/{print $1}' | grep -E '^/(usr/)?lib(64)?/' | sort -u)
for extra in libstdc++.so.6 libgcc_s.so.1 libm.so.6 librt.so.1 libz.so.1; do
  found=$(ldconfig -p | awk -v n="$extra" '$1 == n && /x86-64/ {print $NF; exit}')
  [ -n "$found" ] && libs="$libs"$'\n'"$found"
done
for lib in $libs; do
  real=$(readlink -f "$lib")
  mkdir -p "$OUT$(dirname "$lib")"
  cp "$real" "$OUT$lib"
done
mkdir -p "$OUT/lib64"
[ -e "$OUT/lib64/ld-linux-x86-64.so.2" ] || cp "$(readlink -f /lib64/ld-linux-x86-64.so.2)" "$OUT/lib64/ld-linux-x86-64.so.2"

# busybox (static) for the health checks of docker-compose: the image has no shell otherwise
# (a mirror that fails once is tried again, the second time with fresh package lists: a CI run failed on one)
fetch_busybox() {
  (cd "$ROOT/target/image-base-work" && apt-get download -q busybox-static >/dev/null 2>&1 \
    && dpkg-deb -x busybox-static_*.deb extracted && cp extracted/bin/busybox busybox)
}
if ! [ -x "$ROOT/target/image-base-work/busybox" ]; then
  fetch_busybox || { sleep 5; fetch_busybox; } \
    || { { apt-get update -qq || sudo -n apt-get update -qq; } >/dev/null 2>&1; fetch_busybox; } \
    || { echo "image-base: could not fetch Debian's busybox-static (apt-get download busybox-static)" >&2; exit 1; }
fi
cp "$ROOT/target/image-base-work/busybox" "$OUT/bin/busybox"

cat > "$OUT/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/sbin/nologin
nobody:x:65534:65534:nobody:/tmp:/sbin/nologin
PASSWD
cat > "$OUT/etc/group" <<'GROUP'
root:x:0:
nogroup:x:65534:
GROUP
echo 'hosts: files dns' > "$OUT/etc/nsswitch.conf"
echo "$STAMP" > "$OUT/.stamp"
echo "image base: $(du -sh "$OUT" | cut -f1) in $OUT"
