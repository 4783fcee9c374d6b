#!/usr/bin/env bash
# Builds the action base image from this machine's own files, since no image can be pulled here:
# the `node` on PATH, Debian's Python 3.11 (its standard library without tests, IDLE, tkinter,
# byte code and other bulk), every shared library they load (found with ldd, the loader
# included), the CA bundle, and a non-root user `trellis` (uid/gid 10001). The root file system
# is packed into a deterministic tar (sorted names, mtime 0, owner 0:0), so the same machine
# gives the same layer every time, and `docker import`ed as
#   trellis/action-base:<first 12 hex of the tar's SHA-256>   and   trellis/action-base:latest
# The last line of stdout is the first reference. When that tag exists already, nothing is
# imported (packing the tar takes a few seconds; the import is what this skips).
#
#   build-base.sh --push <host[:port]/repository>
# also pushes it there as :<12 hex> and :latest (docker push: log in first if the registry wants
# it) and prints <host[:port]/repository>:<12 hex>. A builder with TRELLIS_IMAGES=registry and
# TRELLIS_IMAGE_BASE=<host[:port]/repository>:latest reads the base from that registry and needs
# no Docker engine (docs/images.md).
#
# Env: TRELLIS_DOCKER  the docker CLI (default docker)
set -euo pipefail
umask 022

push=
case "${1:-}" in
  '') ;;
  --push) push=${2:?"usage: build-base.sh [--push <host[:port]/repository>]"} ;;
  *) echo "usage: build-base.sh [--push <host[:port]/repository>]" >&2; exit 2 ;;
esac

DOCKER=${TRELLIS_DOCKER:-docker}
REPOSITORY=trellis/action-base
NODE=$(readlink -f "$(command -v node)")
# Debian's interpreter, not a pyenv one earlier on PATH: its standard library is where the
# packages put it. Builds install Python dependencies for CPython 3.11 (the same cp311 ABI).
PYTHON=/usr/bin/python3.11
PYTHON_LIB=/usr/lib/python3.11

say() { echo "build-base: $*" >&2; }

[[ -x $NODE ]] || { say "no node on PATH"; exit 1; }
[[ -x $PYTHON && -d $PYTHON_LIB ]] || { say "Debian's python3.11 is missing (apt-get install python3.11)"; exit 1; }
$DOCKER version --format '{{.Server.Version}}' >/dev/null || { say "the Docker engine is not reachable with '$DOCKER'"; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/trellis-action-base.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/rootfs

# Debian's merged /usr: /bin, /lib and /lib64 are links, so library paths as ldd prints them land in usr/.
mkdir -p "$root"/{usr/bin,usr/lib,usr/lib64,etc/ssl/certs,usr/lib/ssl,tmp}
ln -s usr/bin "$root/bin"
ln -s usr/lib "$root/lib"
ln -s usr/lib64 "$root/lib64"
chmod 1777 "$root/tmp"

cp "$NODE" "$root/usr/bin/node"
cp "$PYTHON" "$root/usr/bin/python3.11"
ln -s python3.11 "$root/usr/bin/python3"
ln -s python3.11 "$root/usr/bin/python"

# The standard library, minus what no action needs at run time.
tar -C "$(dirname "$PYTHON_LIB")" -cf - \
  --exclude=__pycache__ --exclude='*.pyc' \
  --exclude='python3.11/test' --exclude='python3.11/*/test' --exclude='python3.11/*/tests' --exclude='python3.11/*/idle_test' \
  --exclude='python3.11/idlelib' --exclude='python3.11/tkinter' --exclude='python3.11/turtledemo' --exclude='python3.11/turtle.py' \
  --exclude='python3.11/ensurepip' --exclude='python3.11/pydoc_data' --exclude='python3.11/config-3.11-*' \
  --exclude='python3.11/sitecustomize.py' --exclude='python3.11/EXTERNALLY-MANAGED' \
  --exclude='python3.11/lib-dynload/_test*' --exclude='python3.11/lib-dynload/_ctypes_test*' \
  --exclude='python3.11/lib-dynload/xxlimited*' --exclude='python3.11/lib-dynload/_xx*' \
  --exclude='python3.11/lib-dynload/_curses*' --exclude='python3.11/lib-dynload/readline*' \
  --exclude='python3.11/lib-dynload/_dbm*' --exclude='python3.11/lib-dynload/nis*' \
  --exclude='python3.11/lib-dynload/ossaudiodev*' --exclude='python3.11/lib-dynload/_tkinter*' \
  "$(basename "$PYTHON_LIB")" | tar -C "$root/usr/lib" -xf -

# Every shared library the binaries and Python's extension modules load, the loader included.
libraries() {
  for elf in "$root/usr/bin/node" "$root/usr/bin/python3.11" "$root$PYTHON_LIB"/lib-dynload/*.so; do
    ldd "$elf" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'
  done | sort -u
}
while read -r library; do
  mkdir -p "$root$(dirname "$library")"
  cp -L "$library" "$root$library"
done < <(libraries)

cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
# OpenSSL (Python's ssl) looks in its own directory; Node carries its own CA list.
ln -s /etc/ssl/certs "$root/usr/lib/ssl/certs"
ln -s /etc/ssl/certs/ca-certificates.crt "$root/usr/lib/ssl/cert.pem"
printf 'root:x:0:0:root:/root:/usr/sbin/nologin\ntrellis:x:10001:10001:trellis:/tmp:/usr/sbin/nologin\n' > "$root/etc/passwd"
printf 'root:x:0:\ntrellis:x:10001:\n' > "$root/etc/group"
printf 'passwd: files\ngroup: files\nhosts: files dns\n' > "$root/etc/nsswitch.conf"

# Nothing writable but by root, except /tmp: the action's scratch space (a tmpfs in containers,
# which takes the mode of the image's directory).
chmod -R go-w "$root"
chmod 1777 "$root/tmp"
tar --format=posix --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
  --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
  -C "$root" -cf "$work/base.tar" .
digest=$(sha256sum "$work/base.tar" | cut -c1-64)
reference=$REPOSITORY:${digest:0:12}

if $DOCKER image inspect "$reference" >/dev/null 2>&1; then
  say "$reference exists already"
else
  say "importing $(du -h "$work/base.tar" | cut -f1) as $reference"
  $DOCKER import --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' --change 'USER 10001:10001' \
    --message "trellis action base (infra/images/build-base.sh)" "$work/base.tar" "$reference" >/dev/null
fi
$DOCKER tag "$reference" "$REPOSITORY:latest"
if [[ -n $push ]]; then
  for tag in "${digest:0:12}" latest; do
    $DOCKER tag "$reference" "$push:$tag"
    $DOCKER push "$push:$tag" >&2
  done
  reference=$push:${digest:0:12}
fi
echo "$reference"
