//! URL slugs for file names, tags and heading ids.

/// Turns any text into a URL-safe slug: lower-case ASCII letters, digits and single `-`.
/// Accented and non-Latin letters are transliterated; text with nothing left (only
/// punctuation or emoji) gives an empty string, which callers replace with a fallback.
pub fn slugify(text: &str) -> String {
    slug::slugify(text)
}

/// Gives each heading id once per page: the second `overview` becomes `overview-1`.
#[derive(Default)]
pub struct UniqueIds {
    seen: std::collections::HashSet<String>,
    /// For each id claimed more than once, the suffix to try next: every smaller one is
    /// taken, so the 20,000th `overview` costs one try, not 19,999.
    next: std::collections::HashMap<String, usize>,
}

impl UniqueIds {
    /// A unique id for a heading with this text (`section` when the text has no letters).
    pub fn id_for(&mut self, text: &str) -> String {
        let mut base = slugify(text);
        if base.is_empty() {
            base = "section".to_string();
        }
        self.claim(base)
    }

    /// Reserves an id written by the author (`## Title {#my-id}`), suffixing on clashes.
    pub fn claim(&mut self, base: String) -> String {
        if self.seen.insert(base.clone()) {
            return base;
        }
        // The smallest free suffix, as a search from 1 would find: ids are only ever
        // added, so a suffix found taken stays taken.
        let next = self.next.entry(base.clone()).or_insert(1);
        loop {
            let candidate = format!("{base}-{next}");
            *next += 1;
            if self.seen.insert(candidate.clone()) {
                return candidate;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lowercase_ascii_with_dashes() {
        assert_eq!(
            slugify("Why Ketamine? A Brief Background"),
            "why-ketamine-a-brief-background"
        );
        assert_eq!(slugify("Café au lait"), "cafe-au-lait");
        assert_eq!(slugify("  --  "), "");
    }

    #[test]
    fn repeated_and_empty_headings_get_distinct_ids() {
        let mut ids = UniqueIds::default();
        assert_eq!(ids.id_for("Overview"), "overview");
        assert_eq!(ids.id_for("Overview"), "overview-1");
        assert_eq!(ids.id_for("Overview"), "overview-2");
        assert_eq!(ids.id_for("!!!"), "section");
        assert_eq!(ids.id_for("?!"), "section-1");
        // emoji are transliterated to words, which keeps ids readable and URL-safe
        assert_eq!(ids.id_for("🙂"), "slight-smile");
    }

    #[test]
    fn suffixes_are_the_smallest_free_ones_even_around_written_ids() {
        let mut ids = UniqueIds::default();
        assert_eq!(ids.claim("a-2".into()), "a-2");
        assert_eq!(ids.id_for("a"), "a");
        assert_eq!(ids.id_for("a"), "a-1");
        assert_eq!(ids.id_for("a"), "a-3", "a-2 is written by the author");
        assert_eq!(ids.id_for("a-1"), "a-1-1");
        assert_eq!(ids.id_for("a"), "a-4");
    }

    #[test]
    fn twenty_thousand_same_headings_take_constant_time_each() {
        let mut ids = UniqueIds::default();
        let start = std::time::Instant::now();
        for _ in 0..20_000 {
            ids.id_for("Same");
        }
        assert_eq!(ids.id_for("Same"), "same-20000");
        // about 10 ms; searching from 1 each time took seconds
        assert!(start.elapsed() < std::time::Duration::from_secs(1));
    }
}
