#!/usr/bin/env bash
# Prints a JAVA_HOME of a JDK 21 or newer: $JAVA_HOME if it is one, else the newest one installed under the usual
# places. Exits 1 with a clear message when there is none.
set -euo pipefail

version_of() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}'
}

ok() {
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 1
  local v
  v=$(version_of "$1")
  [ -n "$v" ] && [ "${v%%.*}" -ge 21 ]
}

if [ -n "${JAVA_HOME:-}" ] && ok "$JAVA_HOME"; then
  echo "$JAVA_HOME"
  exit 0
fi
best=""
best_v=0
for d in /usr/lib/jvm/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
  [ -d "$d" ] || continue
  if ok "$d"; then
    v=$(version_of "$d"); v=${v%%.*}
    if [ "$v" -gt "$best_v" ]; then best=$d; best_v=$v; fi
  fi
done
if [ -n "$best" ]; then
  echo "$best"
  exit 0
fi
echo "No JDK 21 or newer found. Install one (e.g. 'apt-get install openjdk-21-jdk' or Temurin 21/25) or set JAVA_HOME to it." >&2
exit 1
