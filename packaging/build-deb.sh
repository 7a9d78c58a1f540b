#!/usr/bin/env bash
# Builds the Debian package (CPack) and checks it: contents, dependencies, and that the installed programs
# find their model and data under /usr/share/lldif-viewer (run from an unpacked copy, not the source tree).
# Usage: packaging/build-deb.sh            -> build/lldif-viewer_<version>_amd64.deb
set -euo pipefail
cd "$(dirname "$0")/.."
packaging/install-deps.sh
BUILD_DIR=${BUILD_DIR:-build}  # the normal build tree (packaging/build.sh); only the programs are packaged
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$BUILD_DIR" -j "${JOBS:-2}" --target lldif lldif-viewer lldif-train
(cd "$BUILD_DIR" && cpack -G DEB)
DEB=$(ls -t "$BUILD_DIR"/lldif-viewer_*.deb | head -1)
echo "== $DEB"
dpkg-deb -I "$DEB" | sed -n '/Depends/p'
LIST=$(mktemp)
dpkg-deb -c "$DEB" > "$LIST"
for f in ./usr/bin/lldif ./usr/bin/lldif-viewer ./usr/bin/lldif-train ./usr/share/lldif-viewer/models/lldif.ckpt \
         ./usr/share/lldif-viewer/models/lldif_reference.trj ./usr/share/applications/lldif-viewer.desktop \
         ./usr/share/icons/hicolor/scalable/apps/lldif-viewer.svg ./usr/share/lldif-viewer/demo; do
  grep -q " $f" "$LIST" || { echo "missing in package: $f"; exit 1; }
done
# Unpack and run the packaged programs from there, away from the source tree.
ROOT=$(mktemp -d)
trap 'rm -rf "$ROOT" "$LIST"' EXIT
dpkg-deb -x "$DEB" "$ROOT"
cp tests/data/faces/portrait-040.jpg "$ROOT/face.jpg"
(cd "$ROOT" && ./usr/bin/lldif predict face.jpg 2>&1 | tee predict.txt)
grep -q "$ROOT/usr/share/lldif-viewer/models/lldif.ckpt" "$ROOT/predict.txt" ||
  { echo "the packaged lldif did not use the packaged model"; exit 1; }
(cd "$ROOT" && QT_QPA_PLATFORM=offscreen ./usr/bin/lldif-viewer --source demo --screenshot shot.png \
   --quit-after-frames 3)
test -s "$ROOT/shot.png"
echo "build-deb: OK ($DEB)"
