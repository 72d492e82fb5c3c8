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
        let mut n = 1;
        loop {
            let candidate = format!("{base}-{n}");
            if self.seen.insert(candidate.clone()) {
                return candidate;
            }
            n += 1;
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
}
