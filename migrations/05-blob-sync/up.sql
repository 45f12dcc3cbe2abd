-- Scanned files travel by content hash after the envelopes that name them (DESIGN.md, Sync).
-- `synced`: HQ has the file whole. Files coming from HQ are staged in `blob_downloads`, a row per
-- chunk, so a cut download resumes; they join `blobs` once whole and their hash checks.
ALTER TABLE blobs ADD COLUMN synced INTEGER NOT NULL DEFAULT 0 CHECK (synced IN (0, 1));

CREATE TABLE blob_downloads (
    sha256  TEXT NOT NULL CHECK (length(sha256) = 64),
    offset  INTEGER NOT NULL CHECK (offset >= 0),
    data    BLOB NOT NULL,
    PRIMARY KEY (sha256, offset)
) STRICT;
