#!/bin/sh
# Installs popchain system-wide: each program's bundle under PREFIX/lib/popchain/<program>/, a
# command PREFIX/bin/<program> whose #! line names the node that ran this installer, by absolute
# path (inetd, tcpserver run scripts and systemd units often have a PATH without node), and the
# docs with the example systemd units under PREFIX/share/doc/popchain.
set -eu

usage() {
  echo 'usage: scripts/install.sh [--prefix DIR] [--node PATH] [program...]'
  echo '  --prefix DIR  install under DIR (default /usr/local)'
  echo '  --node PATH   the node the commands run (default: the node on PATH)'
  echo '  programs      default: pop-frontend pop-checkpassword pop-maildir pop-tls'
}

prefix=/usr/local
node=node
while [ $# -gt 0 ]; do
  case $1 in
    --prefix) [ $# -ge 2 ] || { usage >&2; exit 2; }; prefix=$2; shift 2 ;;
    --prefix=*) prefix=${1#--prefix=}; shift ;;
    --node) [ $# -ge 2 ] || { usage >&2; exit 2; }; node=$2; shift 2 ;;
    --node=*) node=${1#--node=}; shift ;;
    -h|--help) usage; exit 0 ;;
    --) shift; break ;;
    -*) usage >&2; exit 2 ;;
    *) break ;;
  esac
done
[ $# -gt 0 ] || set -- pop-frontend pop-checkpassword pop-maildir pop-tls

root=$(cd "$(dirname "$0")/.." && pwd)
# the real path of the node binary, as Node itself reports it (no symlink that may move later)
node=$("$node" -p 'process.execPath') || { echo "install: cannot run node ($node)" >&2; exit 111; }
major=$("$node" -p 'process.versions.node.split(".")[0]')
[ "$major" -ge 20 ] || { echo "install: $node is Node $major; popchain needs Node 20 or later" >&2; exit 100; }
case $prefix in /*) ;; *) prefix=$(pwd)/$prefix ;; esac

for p in "$@"; do
  dist=$root/packages/$p/dist
  [ -f "$dist/$p.cjs" ] || { echo "install: $dist/$p.cjs is missing: run npm run build first" >&2; exit 100; }
done

mkdir -p "$prefix/bin" "$prefix/lib/popchain"
for p in "$@"; do
  dest=$prefix/lib/popchain/$p
  # a fresh copy beside the old one, then swapped in, so a running chain never sees half a bundle
  rm -rf "$dest.new"
  mkdir -p "$dest.new"
  cp "$root/packages/$p/dist/"* "$dest.new/"
  chmod 0755 "$dest.new"
  chmod 0644 "$dest.new/"*
  rm -rf "$dest.old"
  [ ! -d "$dest" ] || mv "$dest" "$dest.old"
  mv "$dest.new" "$dest"
  rm -rf "$dest.old"

  cmd=$prefix/bin/$p
  # node reads this extensionless file as CommonJS and requires the CommonJS bundle: no ES
  # module loader at start-up, as with the bin stubs
  printf '#!%s\n// %s, installed by popchain scripts/install.sh\nrequire(%s)\n' \
    "$node" "$p" "$("$node" -p 'JSON.stringify(process.argv[1])' "$dest/$p.cjs")" > "$cmd.new"
  chmod 0755 "$cmd.new"
  mv -f "$cmd.new" "$cmd"
  echo "install: $cmd -> $dest ($node)"
done

# the manual pages and the example units, where the units' Documentation= lines point
doc=$prefix/share/doc/popchain
mkdir -p "$doc/systemd"
cp "$root"/docs/*.md "$doc/"
cp "$root"/docs/systemd/* "$doc/systemd/"
chmod -R u=rwX,go=rX "$doc"
echo "install: $doc"
