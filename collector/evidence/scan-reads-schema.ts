/**
 * What each stored scan read on its node (the report's `reads`: per gatherer, the files,
 * directories, commands and probes, without content), for the evidence export's
 * methods.json; migration 7. Read sets repeat from scan to scan, so each distinct set is
 * stored once under its SHA-256 and a scan points at it.
 */
export const scanReadsSql = `
CREATE TABLE read_sets (digest TEXT PRIMARY KEY, reads TEXT NOT NULL) STRICT;
CREATE TABLE scan_reads (
  scan_pk INTEGER PRIMARY KEY REFERENCES scans(pk) ON DELETE CASCADE,
  digest TEXT NOT NULL REFERENCES read_sets(digest)
) STRICT;
`
