# lab.sh - the whole method with real MTAs and kernels (tests/lab/run):
# network namespaces, Postfix, Exim, swaks, unbound, rbldnsd; mxsensor's
# results checked against what the clients sent and which were listed.
# Two messages per sender keep it near a minute; `make lab` sends three.
. tests/lib.sh
MXLAB_MSGS=${MXLAB_MSGS:-2} timeout 480 sh tests/lab/run
rc=$?
[ $rc -eq 124 ] && not_ok "lab finished within 8 minutes"
exit $rc
