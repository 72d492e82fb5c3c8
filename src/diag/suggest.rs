//! "Did you mean": the nearest of some names to one that was mistyped.

/// The candidate closest to `word`, when it is close enough to be a likely typo.
pub fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score > 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_nearest_field() {
        let fields = ["title", "description", "date"];
        assert_eq!(nearest("titel", fields), Some("title"));
        assert_eq!(nearest("descripton", fields), Some("description"));
        assert_eq!(nearest("zzzz", fields), None);
    }
}
