-- Scanned documents, addressed by SHA-256: each file once, whatever the number of documents or
-- devices that name it. Uploads arrive in chunks and resume at the bytes received.
CREATE TABLE blobs (
    sha256       text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size         bigint NOT NULL CHECK (size > 0),
    data         bytea NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE blob_uploads (
    sha256      text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size        bigint NOT NULL CHECK (size > 0),
    data        bytea NOT NULL DEFAULT '',
    device      uuid NOT NULL REFERENCES devices (id),
    started_at  timestamptz NOT NULL DEFAULT now()
);

-- Which documents name a file: a device may move a file only when a document of its regions does.
CREATE INDEX rows_document_file ON rows ((fields ->> 'file_sha256')) WHERE entity = 'document';
