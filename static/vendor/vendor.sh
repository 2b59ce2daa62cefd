#!/usr/bin/env bash
# Re-vendor the pinned front-end assets from the npm registry (no CDN is ever linked).
# Usage: bash static/vendor/vendor.sh   (needs npm; the result is committed)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
while read -r pkg version; do
  [ -z "$pkg" ] && continue
  npm pack --silent "$pkg@$version" >/dev/null
done < "$here/versions.txt"
for t in *.tgz; do mkdir -p "${t%.tgz}"; tar -xzf "$t" -C "${t%.tgz}"; done
rm -rf "$here/bootstrap" "$here/bootstrap-icons" "$here/socket.io" "$here/swagger-ui" "$here/chart.js"
mkdir -p "$here/bootstrap" "$here/bootstrap-icons/fonts" "$here/socket.io" "$here/swagger-ui" "$here/chart.js"
cp bootstrap-5*/package/dist/css/bootstrap.min.css "$here/bootstrap/"
cp bootstrap-5*/package/dist/js/bootstrap.bundle.min.js "$here/bootstrap/"
cp bootstrap-5*/package/LICENSE "$here/bootstrap/LICENSE"
cp bootstrap-icons-1*/package/font/bootstrap-icons.min.css "$here/bootstrap-icons/"
cp bootstrap-icons-1*/package/font/fonts/bootstrap-icons.woff2 "$here/bootstrap-icons/fonts/"
cp bootstrap-icons-1*/package/LICENSE "$here/bootstrap-icons/LICENSE"
cp socket.io-client-*/package/dist/socket.io.min.js "$here/socket.io/"
cp socket.io-client-*/package/LICENSE "$here/socket.io/LICENSE"
cp swagger-ui-dist-*/package/swagger-ui-bundle.js swagger-ui-dist-*/package/swagger-ui.css "$here/swagger-ui/"
cp swagger-ui-dist-*/package/LICENSE "$here/swagger-ui/LICENSE"
cp chart.js-*/package/dist/chart.umd.min.js "$here/chart.js/"
cp chart.js-*/package/LICENSE.md "$here/chart.js/LICENSE.md"
# Drop source-map comments: the maps are not vendored.
sed -i -E 's#/[/*]\# sourceMappingURL=[^ *]*( \*/)?##' "$here"/bootstrap/* "$here"/socket.io/*.js "$here"/swagger-ui/* "$here"/chart.js/*.js
echo "vendored: $(tr '\n' ' ' < "$here/versions.txt")"
