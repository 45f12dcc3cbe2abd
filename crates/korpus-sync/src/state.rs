//! A fingerprint of a set of rows, computed the same way on a desk and at HQ: two replicas hold
//! the same data for some regions exactly when their state hashes for those regions agree.

use crate::protocol::RowState;
use sha2::{Digest, Sha256};

/// SHA-256 (hex) over the rows, sorted by entity and id, each as
/// `entity \t id \t version \t canonical JSON of its fields \n`. Deleted rows are left out (a
/// desk removes them; HQ keeps them marked), so a delete that did not arrive still shows.
pub fn state_hash<'a>(rows: impl IntoIterator<Item = &'a RowState>) -> String {
    let mut sorted: Vec<&RowState> = rows.into_iter().filter(|r| !r.deleted).collect();
    sorted.sort_by(|a, b| (a.entity.code(), a.id).cmp(&(b.entity.code(), b.id)));
    let mut hasher = Sha256::new();
    for row in sorted {
        let fields = serde_json::Value::Object(row.fields.clone()).to_string();
        hasher.update(format!("{}\t{}\t{}\t{}\n", row.entity.code(), row.id, row.version, fields));
    }
    hex::encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;
    use korpus_domain::Entity;
    use serde_json::json;
    use uuid::Uuid;

    fn row(id: u128, version: i64, name: &str) -> RowState {
        let serde_json::Value::Object(fields) = json!({ "name": name, "region": "431010000" }) else {
            unreachable!()
        };
        RowState { entity: Entity::HostOrg, id: Uuid::from_u128(id), version, deleted: false, fields }
    }

    #[test]
    fn order_does_not_matter_content_does() {
        let (a, b) = (row(1, 1, "А"), row(2, 3, "Ә"));
        assert_eq!(state_hash([&a, &b]), state_hash([&b, &a]));
        assert_ne!(state_hash([&a, &b]), state_hash([&a, &row(2, 3, "Б")]));
        assert_ne!(state_hash([&a, &b]), state_hash([&a, &row(2, 4, "Ә")]));
        assert_ne!(state_hash([&a]), state_hash([&a, &b]));
        let gone = RowState { deleted: true, ..b.clone() };
        assert_eq!(state_hash([&a]), state_hash([&a, &gone]));
    }
}
