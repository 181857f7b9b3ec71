# report_html.sh - the HTML report of the example data in a real browser.
#
# Chromium (headless) loads the page; its DOM (after parsing, layout and
# style) must hold every chart as SVG with axis tick labels and every
# table with the numbers of the JSON report (tests/tools/report_dom.py);
# the browser must log no console error; the screenshot and the printed
# PDF (the @media print layout) must come out.
. tests/lib.sh

need_file examples/sensor.pcap.gz
command -v chromium >/dev/null 2>&1 || { not_ok "chromium installed (scripts/setup.sh)"; exit 1; }
"$MXSENSOR" analyze -q --db "$T/ex.db" --pcap examples/sensor.pcap.gz \
	--mta-log examples/mail.log.gz >"$T/out" 2>&1 || { not_ok "analyze" "$(cat "$T/out")"; exit 1; }
check "report --format html" "$MXSENSOR" report --db "$T/ex.db" --format html -o "$T/report.html"
check "report --format json" "$MXSENSOR" report --db "$T/ex.db" --format json -o "$T/report.json"

browser() {
	timeout 90 chromium --headless --no-sandbox --disable-gpu --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--disable-default-apps --disable-extensions --user-data-dir="$T/prof" \
		--enable-logging=stderr --v=0 "$@"
}
if browser --dump-dom "file://$T/report.html" >"$T/dom.html" 2>"$T/dom.err" && [ -s "$T/dom.html" ]; then
	ok "chromium --dump-dom ($(wc -c <"$T/dom.html") bytes)"
else
	not_ok "chromium --dump-dom" "$(tail -n 5 "$T/dom.err")"
fi
errs=$(grep -iE 'CONSOLE|Uncaught|Refused to|Failed to load|net::ERR' "$T/dom.err" | head -n 5)
if [ -z "$errs" ]; then ok "no console errors"; else not_ok "console errors" "$errs"; fi
python3 tests/tools/report_dom.py "$T/dom.html" "$T/report.json"

browser --screenshot="$T/shot.png" --window-size=1100,4000 --hide-scrollbars \
	"file://$T/report.html" >/dev/null 2>"$T/shot.err"
sig=$(head -c 8 "$T/shot.png" 2>/dev/null | od -An -tx1 | tr -d ' \n')
size=$(stat -c %s "$T/shot.png" 2>/dev/null || echo 0)
if [ "$sig" = 89504e470d0a1a0a ] && [ "$size" -gt 100000 ]; then
	ok "screenshot: PNG of $size bytes"
else
	not_ok "screenshot" "signature $sig size $size" "$(tail -n 3 "$T/shot.err")"
fi
[ -n "${MXSENSOR_KEEP_SHOT:-}" ] && cp "$T/shot.png" "$MXSENSOR_KEEP_SHOT"

browser --print-to-pdf="$T/report.pdf" --no-pdf-header-footer "file://$T/report.html" \
	>/dev/null 2>"$T/pdf.err"
pages=$(grep -ao '/Type */Page\b' "$T/report.pdf" 2>/dev/null | wc -l)
if head -c 5 "$T/report.pdf" 2>/dev/null | grep -q '%PDF' && [ "$pages" -ge 2 ]; then
	ok "printed: PDF of $pages pages"
else
	not_ok "print to PDF" "pages: $pages" "$(tail -n 3 "$T/pdf.err")"
fi
