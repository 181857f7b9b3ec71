#!/bin/sh
# demo.sh - run mxsensor on the bundled example data (make demo).
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD="$top/$BUILD" ;; esac
MX="$BUILD/mxsensor"
"$MX" --version
"$MX" --help
