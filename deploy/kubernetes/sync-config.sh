#!/usr/bin/env bash
# Copies the repo's routes/, policies/ (with policies/keys/) and the example
# functions into deploy/kubernetes/config/, where kustomize's configMapGenerator
# can read them (it reads only files at or below the kustomization's folder).
# Run it after changing any of those, and commit the copies:
# test/unit/deploy-manifests.test.ts fails while they differ from the originals,
# and also when kustomization.yaml does not list exactly the copied files.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out="$here/config"

rm -rf "$out"
mkdir -p "$out/routes" "$out/policies" "$out/functions"
cp -R "$repo/routes/." "$out/routes/"
cp -R "$repo/policies/." "$out/policies/"
cp "$repo/deploy/local/functions/hello.js" "$repo/deploy/local/functions/echo.js" "$out/functions/"

echo "copied into ${out#"$repo"/}:"
(cd "$out" && find . -type f | sed 's|^\./|  |' | sort)
echo "kustomization.yaml's configMapGenerator must list each of these files,"
echo "and gateway.yaml's policies volume each file under policies/keys/."
