#!/bin/sh
# Install what building and testing dovecot-like needs on Debian 12 (as root or
# through sudo). Skips apt entirely when everything is already there.
set -e
PKGS="build-essential autoconf automake pkg-config libssl-dev libsodium-dev
libpam0g-dev zlib1g-dev check libcrypt-dev libunistring-dev openssl curl procps python3
python3-pytest python3-nacl util-linux passwd libpam-modules
clang libclang-rt-14-dev swaks
dovecot-imapd dovecot-pop3d
isync mutt"
# dovecot-imapd/-pop3d: the reference for tests/integration/test_dovecot_interop.py
# and bench/ (run from private configs on other ports; the system service
# the package may start is not used)
# isync (mbsync) and mutt: real clients driven by test_mbsync.py/test_mutt.py
# postfix is a test peer (SASL through our auth socket). Never replace a
# machine's own MTA for it: then its tests are skipped.
if ! dpkg-query -W -f='${Status}' postfix 2>/dev/null | grep -q "ok installed" &&
   [ ! -e /usr/sbin/sendmail ]; then
	PKGS="$PKGS postfix"
fi
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "Installing:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update -qq
# postfix only as a test peer (SASL through our auth socket): no system config
echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
