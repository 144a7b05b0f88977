#!/usr/bin/env bash
# Builds the trainer and worker images' base (Debian bookworm, Java 17 JRE, Python 3) as an image
# tarball from Debian's package mirror, for hosts that reach Maven Central and the Debian mirror
# but not a container registry. Jib then builds from it without Docker:
#   docker/base-image.sh target/streamsbi-base.tar
#   mvn -pl cli -am package jib:buildTar -DskipTests -Djib.from.image=tar://$PWD/target/streamsbi-base.tar
# Needs root and debootstrap (apt-get install debootstrap).
set -euo pipefail
out="$(realpath -m "${1:-target/streamsbi-base.tar}")"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

debootstrap --variant=minbase --include=openjdk-17-jre-headless,python3,ca-certificates \
  bookworm "$work/rootfs" "$mirror" >&2
# Package caches and lists are not part of an image.
rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"* "$work/rootfs/proc/"* "$work/rootfs/sys/"* "$work/rootfs/dev/"*

# A docker-archive ("docker save" layout) of one layer: what Jib's tar:// base image reads.
mkdir -p "$work/image"
tar -C "$work/rootfs" --numeric-owner -cf "$work/image/layer.tar" .
diff_id="sha256:$(sha256sum "$work/image/layer.tar" | cut -d' ' -f1)"
cat > "$work/image/config.json" <<JSON
{"architecture":"amd64","os":"linux",
 "config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","LANG=C.UTF-8"]},
 "rootfs":{"type":"layers","diff_ids":["$diff_id"]},
 "history":[{"created_by":"docker/base-image.sh: debootstrap bookworm + openjdk-17-jre-headless + python3"}]}
JSON
cat > "$work/image/manifest.json" <<JSON
[{"Config":"config.json","RepoTags":["streamsbi-base:bookworm-jre17"],"Layers":["layer.tar"]}]
JSON
mkdir -p "$(dirname "$out")"
tar -C "$work/image" -cf "$out" manifest.json config.json layer.tar
echo "wrote $out" >&2
