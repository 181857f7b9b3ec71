#!/bin/sh
# bench/truth_eval.sh STORE.db TRUTH.csv [WORKDIR] - mxsensor's attempts,
# associations and labels against mxgen's ground truth, in SQLite.
#
# The same figures as tests/tools/truth_eval.py (attempts matched by
# source address, source port and first SYN time; precision over the
# IPv6 attempts associated, recall over those whose client really fell
# back to IPv4; listed IPv4 sources missed and unlisted ones labelled),
# for traces too big for that script, which holds the truth in Python
# dictionaries (50M SYNs: 24M attempts, tens of GB): here the truth and
# the store's attempts go to a scratch SQLite file in WORKDIR (default:
# the store's directory; 5 GB for 50M SYNs, removed afterwards) and are
# joined there.  Prints one line per figure.
set -u
[ $# -ge 2 ] || { echo "usage: truth_eval.sh STORE.db TRUTH.csv [WORKDIR]" >&2; exit 2; }
store=$1 truth=$2
work=${3:-$(dirname "$store")}
for f in "$store" "$truth"; do
	[ -r "$f" ] || { echo "truth_eval.sh: cannot read $f" >&2; exit 2; }
done
case $(head -n 1 "$truth") in
attempt_id,client_id,family,src,sport,first_ts_ns,syns,os,addr_type,partner_attempt_id,listed) ;;
*) echo "truth_eval.sh: $truth: not an mxgen truth file (header)" >&2; exit 2 ;;
esac
scratch=$(mktemp "$work/truth_eval.XXXXXX") || exit 2
trap 'rm -f "$scratch" "$scratch-journal"' EXIT INT TERM
rm -f "$scratch"
# sqlite3's shell reads file names from its own dot-commands: quote them
q() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/''/g")"; }
sqlite3 -bail "$scratch" <<EOF
PRAGMA cache_size = -262144;
CREATE TABLE truth (attempt_id INTEGER PRIMARY KEY, client_id INT, family INT, src TEXT,
  sport INT, first_ts_ns INT, syns INT, os TEXT, addr_type TEXT, partner_attempt_id INT,
  listed INT);
.import --csv --skip 1 $(q "$truth") truth
ATTACH $(q "$store") AS s;
CREATE TABLE st (id INTEGER PRIMARY KEY, src TEXT, sport INT, first_ns INT, syns INT, partner INT);
INSERT INTO st SELECT id, src, sport, first_ns, syns, partner FROM s.attempts;
CREATE TABLE listed (addr TEXT PRIMARY KEY) WITHOUT ROWID;
INSERT OR IGNORE INTO listed SELECT addr FROM s.hosts WHERE family = 4 AND listed;
DETACH s;
CREATE INDEX st_key ON st (src, sport, first_ns);
-- each true attempt with the store's attempt of the same key (NULL: not found)
CREATE TABLE m (attempt_id INTEGER PRIMARY KEY, family INT, want INT, sid INT, same_syns INT,
  partner INT);
INSERT INTO m SELECT t.attempt_id, t.family, t.partner_attempt_id, st.id, st.syns = t.syns,
  st.partner
  FROM truth t LEFT JOIN st ON st.src = t.src AND st.sport = t.sport AND st.first_ns = t.first_ts_ns;
-- each IPv6 attempt found: the partner the store gave it, the true one's store id
CREATE TABLE p AS SELECT a.partner AS got, w.sid AS want FROM m a
  LEFT JOIN m w ON w.attempt_id = a.want WHERE a.family = 6 AND a.sid IS NOT NULL;
.mode list
.separator " "
SELECT 'attempts:', COUNT(*), 'in truth,', COALESCE(SUM(sid IS NULL), 0), 'not found,',
  COALESCE(SUM(sid IS NOT NULL AND NOT same_syns), 0), 'with other SYN count' FROM m;
SELECT 'association:', COALESCE(SUM(got IS NOT NULL), 0), 'made,',
  COALESCE(SUM(got = want), 0), 'correct,',
  COALESCE(SUM(got IS NOT NULL AND (want IS NULL OR got != want)), 0), 'false,',
  COALESCE(SUM(want IS NOT NULL AND (got IS NULL OR got != want)), 0), 'missed of',
  COALESCE(SUM(want IS NOT NULL), 0), 'true pairs' FROM p;
SELECT 'precision', printf('%.4f', COALESCE(1.0 * SUM(got = want) / NULLIF(SUM(got IS NOT NULL), 0), 1.0)),
  ' recall', printf('%.4f', COALESCE(1.0 * SUM(got = want) / NULLIF(SUM(want IS NOT NULL), 0), 1.0))
  FROM p;
SELECT 'labels:', COUNT(DISTINCT src), 'listed IPv4 hosts,',
  COUNT(DISTINCT src) FILTER (WHERE src NOT IN listed), 'missed,',
  (SELECT COUNT(DISTINCT src) FROM truth WHERE family = 4 AND listed = 0 AND src IN listed),
  'unlisted labelled spammer'
  FROM truth WHERE family = 4 AND listed = 1;
EOF
