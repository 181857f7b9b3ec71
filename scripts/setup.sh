#!/bin/sh
# setup.sh - install the Debian packages mxsensor builds and tests with.
#
# Run by `make demo` and `make check` before anything else.  Installs only
# what is missing (one `apt-get update`, then `apt-get install -y`), so a
# second run costs a few dpkg queries.  Needs root (or sudo) only when
# something is missing.  MXSENSOR_NO_SETUP=1 skips it entirely.

[ "${MXSENSOR_NO_SETUP:-0}" = 1 ] && exit 0

# build: compilers, pkg-config and the libraries linked into mxsensor
PKGS="make gcc clang pkg-config libpcap-dev zlib1g-dev libsqlite3-dev sqlite3
libc-ares-dev libpsl-dev libmaxminddb-dev libpq-dev libcmocka-dev libjson-c-dev
libsystemd-dev"
# run time: p0f's signature database (/etc/p0f/p0f.fp)
PKGS="$PKGS p0f"
# real peers the tests compare against
PKGS="$PKGS tshark tcpdump ipv6toolkit gzip iproute2 python3 time"
# defence tests: a real Postfix (its own instance, never the system one),
# swaks, rbldnsd, dig, BIND's named-checkzone; util-linux for script(1)
PKGS="$PKGS postfix swaks rbldnsd dnsutils bind9-utils util-linux"
# sensor tests: SMTP clients over IPv4 and IPv6, an authoritative DNS server
PKGS="$PKGS netcat-openbsd curl swaks libio-socket-inet6-perl nsd"
# a private systemd-journald and journalctl for the journal exports
# (tests/integration/mtalog_journal.sh); time zones for journalctl's
PKGS="$PKGS systemd tzdata"
# private rsyslogd instances writing RFC 5424 and traditional files
# (tests/integration/mtalog_rsyslog.sh; never the system's syslog)
PKGS="$PKGS rsyslog"
# a private PostgreSQL server for the shared-store tests (tests/pgcluster.sh)
PKGS="$PKGS postgresql"
# a real browser renders the HTML report (tests/integration/report_html.sh)
PKGS="$PKGS chromium"
# enrichment tests: NSD (above) serving PTR and Cymru-style zones,
# a MaxMind DB writer and reader (mmdb), the public suffix list
PKGS="$PKGS libmaxmind-db-writer-perl mmdb-bin publicsuffix"
# the lab (tests/lab/run): also unbound, and Exim unpacked beside Postfix
# (Debian lets only one MTA be installed): these are the libraries
# exim4-daemon-light links beyond Postfix's
PKGS="$PKGS unbound libidn12 libgnutls-dane0"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
EXIM_DIR=/opt/mxsensor-lab/exim4
[ -x "$EXIM_DIR/usr/sbin/exim4" ] || missing="$missing (exim4)"
getent passwd Debian-exim >/dev/null 2>&1 || missing="$missing (Debian-exim)"
[ -z "$missing" ] && exit 0

echo "setup: installing:$missing" >&2
SUDO=""
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null 2>&1 || {
		echo "setup: need root to install:$missing" >&2; exit 1; }
	SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2 || exit 1
# Postfix asks which configuration to install: none.  Without a main.cf the
# system's own Postfix never starts; the tests run private instances.
case " $missing " in *" postfix "*)
	echo "postfix postfix/main_mailer_type select No configuration" |
		$SUDO debconf-set-selections ;;
esac
pkgs=$(echo "$missing" | tr ' ' '\n' | grep -v '^(' | tr '\n' ' ')
if [ -n "$pkgs" ]; then
	# shellcheck disable=SC2086
	$SUDO apt-get install -y -qq --no-install-recommends $pkgs >&2 || exit 1
fi
# Exim for the lab, unpacked (not installed: it would replace Postfix)
if [ ! -x "$EXIM_DIR/usr/sbin/exim4" ]; then
	tmp=$(mktemp -d) && chmod 755 "$tmp" || exit 1
	(cd "$tmp" && $SUDO apt-get download -qq exim4-daemon-light exim4-base >&2) || exit 1
	$SUDO mkdir -p "$EXIM_DIR" || exit 1
	for deb in "$tmp"/*.deb; do $SUDO dpkg-deb -x "$deb" "$EXIM_DIR" || exit 1; done
	rm -rf "$tmp"
fi
# Exim's binary has its user compiled in
getent passwd Debian-exim >/dev/null 2>&1 ||
	$SUDO adduser --system --group --quiet --allow-bad-names --home /nonexistent \
		--no-create-home Debian-exim >&2 || exit 1
