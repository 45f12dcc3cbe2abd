//! Search as you type: a query is split into words; digits search IIN or BIN prefixes, letters
//! search names through the full-text indexes (any word order, each word a prefix).

/// What a typed query asks for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Query {
    /// A prefix of an IIN or BIN: the query's digits, when a word is all digits.
    pub number_prefix: Option<String>,
    /// An FTS5 expression: every word as a quoted prefix, all of them required.
    pub words: Option<String>,
}

/// The longest query taken: more is not a search but a paste accident.
const QUERY_MAX_CHARS: usize = 200;

impl Query {
    /// Reads what the user typed. Punctuation separates words and is otherwise ignored, so no
    /// input can form an FTS5 syntax error.
    pub(crate) fn parse(text: &str) -> Query {
        let text: String = text.chars().take(QUERY_MAX_CHARS).collect();
        let mut query = Query::default();
        let mut words = Vec::new();
        for word in text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
            if word.chars().all(|c| c.is_ascii_digit()) {
                if query.number_prefix.is_none() && word.len() <= 12 {
                    query.number_prefix = Some(word.to_owned());
                }
            } else {
                // As the index does (migration 02): "ё" is searched as "е".
                let word = word.replace('ё', "е").replace('Ё', "Е");
                words.push(format!("\"{word}\"*"));
            }
        }
        if !words.is_empty() {
            query.words = Some(words.join(" "));
        }
        query
    }

    /// Whether the query asks for nothing (empty, or only punctuation).
    pub(crate) fn is_empty(&self) -> bool {
        self.number_prefix.is_none() && self.words.is_none()
    }
}

/// The bounds `[prefix, prefix:)` of all digit strings that start with `prefix` (':' sorts right
/// after '9'), so that a prefix search is a range scan of the unique index.
pub(crate) fn prefix_range(prefix: &str) -> (String, String) {
    (prefix.to_owned(), format!("{prefix}:"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_become_a_number_prefix_and_words_prefixes() {
        let q = Query::parse("Әйгерім 9503 сәрсен");
        assert_eq!(q.number_prefix.as_deref(), Some("9503"));
        assert_eq!(q.words.as_deref(), Some("\"Әйгерім\"* \"сәрсен\"*"));
    }

    #[test]
    fn fts_syntax_characters_cannot_reach_the_index() {
        let q = Query::parse("\"a\" OR b* NEAR(c) -d ^e :f");
        assert_eq!(q.words.as_deref(), Some("\"a\"* \"OR\"* \"b\"* \"NEAR\"* \"c\"* \"d\"* \"e\"* \"f\"*"));
        assert!(Query::parse("  -*()\" ").is_empty());
    }

    #[test]
    fn prefix_range_holds_exactly_the_numbers_with_that_prefix() {
        let (low, high) = prefix_range("9501");
        for inside in ["9501", "950101300123", "950199999999"] {
            assert!(low.as_str() <= inside && inside < high.as_str());
        }
        for outside in ["9500999", "9502", "95"] {
            assert!(!(low.as_str() <= outside && outside < high.as_str()));
        }
    }
}
