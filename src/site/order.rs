//! The order of pages within a section: by date (newest first), weight or title.

use super::Site;
use crate::content::Page;
use crate::content::field_types::SortBy;

impl Site {
    pub(crate) fn sort_sections(&mut self) {
        let pages = &self.pages;
        for s in &mut self.sections {
            let sort_by = s.meta.sort_by;
            s.pages
                .sort_by(|&a, &b| compare(&pages[a], &pages[b], sort_by));
            s.subsections.sort();
        }
    }
}

/// Page order within a section: by date newest first, by weight, or by title.
pub fn compare(a: &Page, b: &Page, sort_by: SortBy) -> std::cmp::Ordering {
    let title = |p: &Page| p.meta.title.to_lowercase();
    let primary = match sort_by {
        SortBy::Date => {
            let key = |p: &Page| p.meta.date.as_ref().map(|d| d.timestamp);
            match (key(a), key(b)) {
                (Some(x), Some(y)) => y.cmp(&x),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            }
        }
        SortBy::Weight => a.meta.weight.cmp(&b.meta.weight),
        SortBy::Title => std::cmp::Ordering::Equal,
    };
    primary
        .then_with(|| title(a).cmp(&title(b)))
        .then_with(|| a.doc.relative_path.cmp(&b.doc.relative_path))
}
