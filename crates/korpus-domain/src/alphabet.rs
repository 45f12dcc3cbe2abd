//! Alphabetical order as a Kazakh reader expects it: А Ә Б В Г Ғ ... Ү Ф Х Һ ... Ы І Ь Э Ю Я.
//! Code-point order puts І before А and every Kazakh letter after Я; lists sorted that way look
//! broken to the people who read them.

use std::cmp::Ordering;

/// The Kazakh Cyrillic alphabet in its order; Russian's letters are among them, in the same order.
const KAZAKH: &str = "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя";

/// Where a character sorts: digits, then Latin letters, then the Kazakh alphabet, then anything
/// else by code point; case is ignored here.
fn rank(c: char) -> (u8, u32) {
    let lower = c.to_lowercase().next().unwrap_or(c);
    if lower.is_ascii_digit() {
        return (1, lower as u32);
    }
    if lower.is_ascii_lowercase() {
        return (2, lower as u32);
    }
    match KAZAKH.chars().position(|k| k == lower) {
        Some(i) => (3, i as u32),
        None if lower.is_whitespace() => (0, 0),
        None => (4, lower as u32),
    }
}

/// Compares two texts in Kazakh alphabetical order, ignoring case first and using it (then code
/// points) only to break ties, so the order is total.
pub fn kazakh_cmp(a: &str, b: &str) -> Ordering {
    a.chars().map(rank).cmp(b.chars().map(rank)).then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(words: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = words.iter().map(|w| (*w).to_owned()).collect();
        v.sort_by(|a, b| kazakh_cmp(a, b));
        v
    }

    #[test]
    fn kazakh_letters_sit_beside_their_neighbours() {
        assert_eq!(sorted(&["Ілияс", "Абылай", "Әсел", "Бекзат"]), ["Абылай", "Әсел", "Бекзат", "Ілияс"]);
        assert_eq!(sorted(&["Құрманов", "Кенжеев", "Лебедев"]), ["Кенжеев", "Құрманов", "Лебедев"]);
        assert_eq!(sorted(&["Үмбет", "Ұлан", "Уразов", "Фёдоров"]), ["Уразов", "Ұлан", "Үмбет", "Фёдоров"]);
        assert_eq!(sorted(&["Ыбырай", "Іңкәр", "Эльмира"]), ["Ыбырай", "Іңкәр", "Эльмира"]);
    }

    #[test]
    fn case_is_ignored_but_breaks_ties() {
        assert_eq!(kazakh_cmp("әсел", "ӘСЕЛ").reverse(), kazakh_cmp("ӘСЕЛ", "әсел"));
        assert_ne!(kazakh_cmp("әсел", "ӘСЕЛ"), Ordering::Equal);
        assert_eq!(sorted(&["бекзат", "Әсел"]), ["Әсел", "бекзат"]);
    }

    #[test]
    fn shorter_prefix_comes_first_and_latin_before_cyrillic() {
        assert_eq!(sorted(&["Ахметова", "Ахметов"]), ["Ахметов", "Ахметова"]);
        assert_eq!(sorted(&["Ахмет", "Zeta", "Alpha"]), ["Alpha", "Zeta", "Ахмет"]);
    }
}
