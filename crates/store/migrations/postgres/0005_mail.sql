-- Mail: each user's own mailbox (SMTP out, IMAP in) with sealed credentials, the record of every
-- message handed to an SMTP server (keyed by Message-ID, so a retried send is recognised), and
-- every inbound message imported by IMAP UID with what it means for a sequence.

-- Process-wide settings, e.g. the mail credential key when none is configured.
CREATE TABLE IF NOT EXISTS settings (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE mailboxes (
    id                  UUID PRIMARY KEY,
    user_id             UUID NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    from_email          TEXT NOT NULL,
    from_name           TEXT,
    smtp_host           TEXT NOT NULL,
    smtp_port           BIGINT NOT NULL,
    smtp_security       TEXT NOT NULL,
    smtp_username       TEXT,
    smtp_password_enc   TEXT,
    imap_host           TEXT,
    imap_port           BIGINT,
    imap_security       TEXT,
    imap_username       TEXT,
    imap_password_enc   TEXT,
    daily_cap           BIGINT NOT NULL,
    last_sent_at        TIMESTAMPTZ,
    last_send_error     TEXT,
    last_send_error_at  TIMESTAMPTZ,
    last_sync_at        TIMESTAMPTZ,
    last_sync_error     TEXT,
    last_sync_error_at  TIMESTAMPTZ,
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL,
    version             BIGINT NOT NULL DEFAULT 1
);

-- Where IMAP sync stands per folder: UIDs are only meaningful under one UIDVALIDITY.
CREATE TABLE mailbox_folders (
    mailbox_id    UUID NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
    folder        TEXT NOT NULL,
    uid_validity  BIGINT NOT NULL,
    last_uid      BIGINT NOT NULL,
    synced_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (mailbox_id, folder)
);

-- One row per Message-ID handed to SMTP. 'sending' is written (and committed) before the SMTP
-- transaction starts and 'sent' after the server accepted it, so a retry can tell "surely sent"
-- from "maybe sent".
CREATE TABLE sent_messages (
    message_id    TEXT PRIMARY KEY,
    mailbox_id    UUID REFERENCES mailboxes (id) ON DELETE SET NULL,
    outbox_id     UUID,
    state         TEXT NOT NULL,
    recipients    TEXT NOT NULL,
    subject       TEXT NOT NULL,
    attempts      BIGINT NOT NULL DEFAULT 1,
    started_at    TIMESTAMPTZ NOT NULL,
    sent_at       TIMESTAMPTZ,
    smtp_response TEXT
);
CREATE INDEX sent_messages_mailbox ON sent_messages (mailbox_id, sent_at);

-- Every inbound message seen once, by (folder, UIDVALIDITY, UID) and by Message-ID per mailbox.
-- `signal` is what it means (reply, bounce, out_of_office, automatic_reply) or `error` for a
-- message that could not be read; `handled_at` is for the sequence engine.
CREATE TABLE inbound_messages (
    id                UUID PRIMARY KEY,
    mailbox_id        UUID NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
    folder            TEXT NOT NULL,
    uid_validity      BIGINT NOT NULL,
    uid               BIGINT NOT NULL,
    message_id        TEXT,
    in_reply_to       TEXT,
    from_email        TEXT,
    subject           TEXT,
    sent_date         TIMESTAMPTZ,
    signal            TEXT NOT NULL,
    signal_json       JSONB,
    bounce_recipient  TEXT,
    return_date       DATE,
    error             TEXT,
    size_bytes        BIGINT NOT NULL,
    imported_at       TIMESTAMPTZ NOT NULL,
    handled_at        TIMESTAMPTZ,
    UNIQUE (mailbox_id, folder, uid_validity, uid)
);
CREATE UNIQUE INDEX inbound_messages_message_id ON inbound_messages (mailbox_id, message_id)
    WHERE message_id IS NOT NULL;
CREATE INDEX inbound_messages_unhandled ON inbound_messages (imported_at) WHERE handled_at IS NULL;
CREATE INDEX inbound_messages_in_reply_to ON inbound_messages (in_reply_to);
