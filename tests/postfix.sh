# tests/postfix.sh - a throw-away Postfix instance for integration tests
# (sourced after tests/lib.sh; needs root, as Postfix's master does).
#
#   pf_start DIR SMTP_LISTEN EXTRA_MAIN_CF   config + queue in DIR, started
#   pf_stop DIR                              stopped (also from the EXIT trap)
#   PF_WRAP                                  command prefix for the start,
#                                            e.g. "ip netns exec NS"
#
# The instance has its own config directory (postfix -c DIR), listens only
# on SMTP_LISTEN (e.g. 127.0.0.1:2525), discards everything it accepts,
# writes its log to DIR/maillog, and lets 127.0.0.0/8 use XCLIENT.  Postfix
# logs fatal start-up errors only to a terminal or syslog, so the start runs
# under script(1) to see them.

pf_start() {
	dir=$1 listen=$2 extra=$3
	mkdir -p "$dir/queue" "$dir/data"
	chown postfix "$dir/data"
	cat >"$dir/main.cf" <<PFEOF
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.test
mydomain = test
myorigin = mx.test
mydestination =
inet_interfaces = loopback-only
inet_protocols = all
mynetworks = 127.0.0.0/8
relay_domains = example.test
default_transport = discard
relay_transport = discard
alias_maps =
alias_database =
smtpd_authorized_xclient_hosts = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_error_sleep_time = 0
smtpd_client_connection_rate_limit = 0
maillog_file_prefixes = $dir
maillog_file = $dir/maillog
biff = no
$extra
PFEOF
	cat >"$dir/master.cf" <<PFEOF
$listen inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
dnsblog   unix  -       -       n       -       0       dnsblog
postlog   unix-dgram n  -       n       -       1       postlogd
PFEOF
	script -qc "$PF_WRAP postfix -c '$dir' start" /dev/null >"$dir/start.out" 2>&1
	i=0
	while [ $i -lt 50 ] && ! [ -s "$dir/queue/pid/master.pid" ]; do sleep 0.1; i=$((i + 1)); done
	[ -s "$dir/queue/pid/master.pid" ]
}

pf_stop() {
	[ -d "$1/queue" ] || return 0
	postfix -c "$1" stop >/dev/null 2>&1 || postfix -c "$1" abort >/dev/null 2>&1
	i=0
	while [ $i -lt 50 ] && [ -s "$1/queue/pid/master.pid" ] &&
		kill -0 "$(tr -d ' ' <"$1/queue/pid/master.pid")" 2>/dev/null; do
		sleep 0.1; i=$((i + 1))
	done
}

# free_port - a TCP port nobody listens on (loopback), from a start value
free_port() {
	p=$1
	while ss -Hltn "sport = :$p" 2>/dev/null | grep -q .; do p=$((p + 1)); done
	echo "$p"
}
