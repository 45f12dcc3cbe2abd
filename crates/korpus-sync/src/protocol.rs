//! The wire protocol between a desk and HQ, version 1 (DESIGN.md, Sync). Every body is JSON; push
//! bodies travel zstd-compressed (`Content-Encoding: zstd`), answers are compressed when the
//! client accepts it. Paths are under [`API_PREFIX`].

use korpus_domain::{Entity, Envelope};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

/// The protocol version this build speaks.
pub const API_VERSION: u32 = 1;
/// Where every endpoint of this version lives.
pub const API_PREFIX: &str = "/v1";

/// `GET /v1/capabilities` (no token needed): what the server speaks and accepts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Capabilities {
    /// Protocol versions the server answers.
    pub api_versions: Vec<u32>,
    /// The server's software version.
    pub server_version: String,
    /// Most envelopes one push may carry.
    pub max_push_envelopes: usize,
    /// Most bytes of a request body, after decompression.
    pub max_body_bytes: usize,
    /// Most items one pull page holds.
    pub max_pull_page: usize,
    /// Size of the chunks scanned documents are uploaded in.
    pub blob_chunk_bytes: usize,
    /// HQ's Ed25519 public key (hex), which signs answer files, pull pages and push receipts.
    #[serde(default)]
    pub hq_public_key: Option<String>,
}

/// `POST /v1/enrol`: a device joins with a one-time code an HQ administrator gave the coordinator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnrolRequest {
    /// The code, as typed.
    pub code: String,
    /// The device's id (the one its envelopes carry).
    pub device_id: Uuid,
    /// A name for the device that HQ staff will recognise ("Kyzylorda laptop 2").
    pub device_name: String,
    /// The device's Ed25519 public key (hex), which verifies the files it exports.
    pub public_key: String,
}

/// The answer to an enrolment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Enrolment {
    /// The device's bearer token. Shown once; HQ keeps only its hash.
    pub token: String,
    /// The coordinator's login.
    pub account: String,
    /// The regions (KATO codes) the device may read and write; empty when `all_regions`.
    pub regions: Vec<String>,
    /// HQ staff: every region.
    pub all_regions: bool,
    /// HQ's Ed25519 public key (hex): the desk checks HQ's answers with it from now on.
    #[serde(default)]
    pub hq_public_key: Option<String>,
}

/// An envelope and the hash its device computed ([`Envelope::hash`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SealedEnvelope {
    /// The envelope.
    pub envelope: Envelope,
    /// SHA-256 of its canonical JSON, hex.
    pub hash: String,
}

/// `POST /v1/push`: envelopes of one device, in `device_seq` order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushRequest {
    /// The envelopes.
    pub envelopes: Vec<SealedEnvelope>,
}

/// What became of one pushed envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReceiptStatus {
    /// Committed whole, with a `server_seq`.
    Applied,
    /// Seen before with the same hash: the original receipt's `server_seq`.
    Duplicate,
    /// A field it changes was changed by someone else since its base version: not applied; the
    /// conflict is recorded at HQ and comes back to the desk in the pull.
    Conflict,
    /// Refused, with a code: nothing of it was applied. It is kept in quarantine at HQ.
    Rejected,
}

/// One field changed on two sides since a common version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldConflict {
    /// The record.
    pub entity: Entity,
    /// Its id.
    pub entity_id: Uuid,
    /// The field.
    pub field: String,
    /// The version both sides started from.
    pub base_version: i64,
    /// The value HQ holds now.
    pub theirs: Value,
    /// The value the envelope wanted.
    pub mine: Value,
}

/// HQ's answer for one envelope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Receipt {
    /// The envelope's id.
    pub id: Uuid,
    /// Its number on its device.
    pub device_seq: i64,
    /// What became of it.
    pub status: ReceiptStatus,
    /// Its place in HQ's sequence, when applied (or applied before).
    pub server_seq: Option<i64>,
    /// Why, when rejected: a stable code ([`crate::codes`]).
    pub code: Option<String>,
    /// Why, in English, for logs; the desk shows the code's own text.
    pub message: Option<String>,
    /// The fields in conflict, when [`ReceiptStatus::Conflict`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<FieldConflict>,
    /// When rejected: each row the envelope touched as HQ holds it now, for the desk to take
    /// back (its own change of them never happened). A row HQ holds none of, or holds in a
    /// region the device does not have, comes removed. Empty for a refusal whose envelope the
    /// desk sends again ([`codes::SEQ_REUSED`]) and for those no genuine desk gets.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rows: Vec<RowState>,
}

/// The answer to a push: one receipt per envelope, in the order sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushResponse {
    /// The receipts.
    pub receipts: Vec<Receipt>,
    /// The highest `device_seq` HQ holds of the device after this batch. A desk restored from an
    /// older copy, whose new envelopes were refused [`codes::SEQ_REUSED`], numbers them again
    /// after it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_seq: Option<i64>,
}

/// `POST /v1/replay`: envelopes a lost desk of the same account never sent, read from its last
/// backup by the desk that replaces it, applied as that device's own (same ids and numbers: what
/// HQ already holds is answered as such, never applied twice).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplayRequest {
    /// The lost desk's device id.
    pub device: uuid::Uuid,
    /// Its envelopes, in `device_seq` order.
    pub envelopes: Vec<SealedEnvelope>,
    /// Revoke the lost desk after these envelopes, and retire its certificate numbers not used.
    #[serde(default)]
    pub revoke: bool,
}

/// The answer to a replay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplayResponse {
    /// One receipt per envelope.
    pub receipts: Vec<Receipt>,
    /// The lost desk is revoked now.
    pub revoked: bool,
    /// Its certificate numbers retired: reserved for it, never used, never valid from now on.
    pub retired: Vec<NumberBlockGrant>,
}

/// A row as HQ holds it after a change: everything a desk needs to take HQ's state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowState {
    /// The kind of record.
    pub entity: Entity,
    /// Its id.
    pub id: Uuid,
    /// Its version at HQ after the change.
    pub version: i64,
    /// Removed.
    pub deleted: bool,
    /// All its fields (the entity's columns), when not deleted.
    pub fields: Map<String, Value>,
}

/// One applied envelope as a pull delivers it: the rows it left behind that the device may see.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PulledChange {
    /// Its place in HQ's sequence.
    pub server_seq: i64,
    /// The envelope's id.
    pub envelope_id: Uuid,
    /// The device that wrote it.
    pub device: Uuid,
    /// Who wrote it, as that desk names its user (the envelope's author); empty from an HQ older
    /// than the records' history.
    #[serde(default)]
    pub author: String,
    /// When it was written: the envelope's hybrid logical clock reading; empty from an older HQ.
    #[serde(default)]
    pub hlc: String,
    /// The rows as they stood right after it.
    pub rows: Vec<RowState>,
}

/// A case HQ found that a person must settle at a desk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Case {
    /// The case's id.
    pub id: Uuid,
    /// What kind: `conflict`, `duplicate_iin`, `person_in_two_subprojects`, `host_org_over_limit`.
    pub kind: String,
    /// Open or resolved.
    pub status: String,
    /// The details: the records, fields and values concerned.
    pub details: Value,
    /// When HQ recorded it (RFC 3339).
    pub opened_at: String,
}

/// `GET /v1/pull?after=N&limit=M[&own=brief]`: the changes after `after`, and the device's open
/// cases.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullPage {
    /// The changes, oldest first.
    pub changes: Vec<PulledChange>,
    /// Where the next page starts: the last `server_seq` this page covered (changes the device
    /// may not see are skipped but covered).
    pub cursor: i64,
    /// HQ's newest `server_seq` when the page was read: the pull is done when `cursor == head`.
    pub head: i64,
    /// Cases concerning the device's regions (sent on every page; a desk keeps the latest).
    pub cases: Vec<Case>,
    /// Asked for with `own=brief`: the device's own envelopes within this page that HQ applied
    /// exactly as written (every row at its base version + 1, nothing merged, nothing moved), left
    /// out of `changes` because the device holds those rows as they stand. Runs of consecutive
    /// `server_seq`s, first and last included. A device whose outbox lacks any of them (a copy
    /// restored from before they were written) asks for the same page again with `own=full`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub own: Vec<[i64; 2]>,
}

/// One rulebook HQ published: its order of publication and the rulebook as a document (read by
/// the desk with `korpus_domain::Rulebook::from_value`, which refuses a later schema by name).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublishedRulebook {
    /// Order of publication.
    pub seq: i64,
    /// The rulebook.
    pub rulebook: serde_json::Value,
}

/// `GET /v1/rulebooks?after=N`: the rulebooks published after `N`, oldest first, signed as every
/// answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublishedRulebooks {
    /// The rulebooks.
    pub rulebooks: Vec<PublishedRulebook>,
    /// The newest `seq` among them (else the `after` asked): the next `after`.
    pub last: i64,
}

/// How a pull sends the device's own changes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OwnChanges {
    /// Every change whole, as any other device's (the default, and what an answer file carries).
    #[default]
    Full,
    /// Those HQ applied as written only as runs of `server_seq` ([`PullPage::own`]).
    Brief,
}

impl OwnChanges {
    /// The value of the pull's `own` parameter.
    pub fn code(self) -> &'static str {
        match self {
            OwnChanges::Full => "full",
            OwnChanges::Brief => "brief",
        }
    }

    /// Reads the pull's `own` parameter.
    pub fn parse(text: &str) -> Option<OwnChanges> {
        match text {
            "full" => Some(OwnChanges::Full),
            "brief" => Some(OwnChanges::Brief),
            _ => None,
        }
    }
}

/// `GET /v1/blobs/{sha256}`, and the answer to each chunk uploaded with
/// `PUT /v1/blobs/{sha256}?offset=N`: where a scanned file stands at HQ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobStatus {
    /// The file's SHA-256, hex.
    pub sha256: String,
    /// Its size, as the document naming it says.
    pub size: i64,
    /// HQ has it whole.
    pub present: bool,
    /// Bytes HQ holds of it: where the next chunk starts.
    pub received: i64,
}

/// `POST /v1/certificate-blocks`: a block of certificate numbers for the calling device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockRequest {
    /// The cohort the numbers are of.
    pub cohort: i32,
    /// How many numbers, 1 to [`MAX_BLOCK`].
    pub size: u32,
}

/// Most numbers one block may hold.
pub const MAX_BLOCK: u32 = 1_000;

/// A block HQ reserved for the device: numbers `first..=last` of the cohort, never given to
/// another device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumberBlockGrant {
    /// The cohort.
    pub cohort: i32,
    /// The first number.
    pub first: u32,
    /// The last number.
    pub last: u32,
}

/// `POST /v1/certificates/verify`: a certificate's code, as its QR holds it. Open to anyone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyRequest {
    /// The code.
    pub code: String,
}

/// HQ's word on a certificate code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateCheck {
    /// Signed by the device it names, with the key HQ enrolled, and not changed since.
    pub genuine: bool,
    /// Why not, when not: `not_a_code`, `unknown_device`, `bad_signature`, `number_not_reserved`.
    pub problem: Option<String>,
    /// Whether HQ holds a certificate with that number and the same fields (`None`: no such
    /// number at HQ yet, as when the desk has not synced since it issued it).
    pub on_record: Option<bool>,
}

/// Every error answer: a stable code and an English message for logs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiError {
    /// A code from [`crate::codes`].
    pub code: String,
    /// What went wrong, naming the field when there is one.
    pub message: String,
}

/// The codes HQ answers with, in receipts and error bodies.
pub mod codes {
    /// No token, or one HQ does not know.
    pub const UNAUTHORISED: &str = "UNAUTHORISED";
    /// The device was revoked.
    pub const DEVICE_REVOKED: &str = "DEVICE_REVOKED";
    /// The enrolment code is unknown, used or expired.
    pub const ENROL_CODE_INVALID: &str = "ENROL_CODE_INVALID";
    /// The device id is already enrolled.
    pub const DEVICE_ALREADY_ENROLLED: &str = "DEVICE_ALREADY_ENROLLED";
    /// A replay names a device that is not another desk of the caller's own account.
    pub const NOT_YOUR_DEVICE: &str = "NOT_YOUR_DEVICE";
    /// The body is not the JSON the endpoint takes.
    pub const MALFORMED: &str = "MALFORMED";
    /// The body is larger than the server accepts.
    pub const TOO_LARGE: &str = "TOO_LARGE";
    /// More envelopes than one push may carry.
    pub const TOO_MANY_ENVELOPES: &str = "TOO_MANY_ENVELOPES";
    /// The API version is not spoken here.
    pub const UNSUPPORTED_VERSION: &str = "UNSUPPORTED_VERSION";
    /// A query parameter is wrong.
    pub const BAD_PARAMETER: &str = "BAD_PARAMETER";
    /// The server could not finish; try again.
    pub const UNAVAILABLE: &str = "UNAVAILABLE";
    /// An envelope's device is not the device that pushed it.
    pub const WRONG_DEVICE: &str = "WRONG_DEVICE";
    /// The hash does not match the envelope's content.
    pub const HASH_MISMATCH: &str = "HASH_MISMATCH";
    /// The same envelope id was seen with other content.
    pub const ID_REUSED: &str = "ID_REUSED";
    /// The device sequence number was already used by another envelope.
    pub const SEQ_REUSED: &str = "SEQ_REUSED";
    /// A row of a region the device may not write.
    pub const REGION_FORBIDDEN: &str = "REGION_FORBIDDEN";
    /// An update or delete of a row HQ does not have.
    pub const UNKNOWN_ROW: &str = "UNKNOWN_ROW";
    /// An insert of a row that exists already.
    pub const ROW_EXISTS: &str = "ROW_EXISTS";
    /// A change of a row that has moved to a region the device does not have: HQ keeps it as a
    /// case for both regions.
    pub const ROW_MOVED: &str = "ROW_MOVED";
    /// A field the entity does not have, or a value that fails the domain's checks.
    pub const INVALID_FIELD: &str = "INVALID_FIELD";
    /// A decision's state transition that is not allowed.
    pub const INVALID_TRANSITION: &str = "INVALID_TRANSITION";
    /// No document of the device's regions names this file (or HQ does not have it yet).
    pub const UNKNOWN_BLOB: &str = "UNKNOWN_BLOB";
    /// A chunk that does not start where HQ's copy ends.
    pub const OFFSET_MISMATCH: &str = "OFFSET_MISMATCH";
    /// A signed file or certificate whose signature does not verify.
    pub const BAD_SIGNATURE: &str = "BAD_SIGNATURE";
    /// A certificate number from no block HQ reserved for the device.
    pub const NUMBER_NOT_RESERVED: &str = "NUMBER_NOT_RESERVED";
    /// The cohort has no certificate numbers left to reserve.
    pub const NUMBERS_EXHAUSTED: &str = "NUMBERS_EXHAUSTED";
}
