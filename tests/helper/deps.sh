#!/bin/sh
# deps.sh PKG...: install the Debian packages that are missing, with sudo
# when not root.  Quiet when everything is there already.
missing=
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
echo "installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# PKG:ARCH (the release's cross build, make deps-release ARCH=arm64) needs
# ARCH as a dpkg foreign architecture before apt-get update.
for p in $missing; do
	case "$p" in
	*:*) a=${p##*:}
		[ "$a" = "$(dpkg --print-architecture)" ] ||
			dpkg --print-foreign-architectures | grep -qx "$a" ||
			$SUDO dpkg --add-architecture "$a" || exit 1 ;;
	esac
done
$SUDO apt-get update -qq >&2 || exit 1
# policy-rc.d keeps the packages' init scripts from starting daemons here;
# the tests start what they need themselves.
if [ ! -e /usr/sbin/policy-rc.d ] && [ -z "$SUDO" ]; then
	printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
	trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
$SUDO apt-get install -y -qq --no-install-recommends $missing >&2
