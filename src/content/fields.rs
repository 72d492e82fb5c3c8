//! The one definition of front matter: every field, the Rust type the pipeline reads it
//! as, and, for each kind of file that has it, its label, help and whether it is required.
//! From this one table come the typed `Meta`, the parser (allowed keys, each value read
//! into its type with a message that names the field by its label), the template value
//! (`Meta` is serialized), the editor's form and `grove new`'s commented lines.
//! Adding a field is one entry below, plus its use in a template.

use std::sync::LazyLock;

use serde::Serialize;

use super::date::{self, Date};
use super::field_types::{Focus, SortBy};

/// The kinds of page, each with its own front matter and template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Article,
    Faq,
    Team,
    Page,
}

/// What kind of value a field holds, for a form's input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Input {
    /// One line of text.
    Text,
    /// A sentence or two.
    Paragraph,
    /// A day (`2025-03-14`), or a date-time.
    Date,
    /// A whole number.
    Number,
    /// true or false.
    Bool,
    /// A list of text: `["a", "b"]`.
    List,
    /// A file of the site, from `static/` (`/images/x.jpg`).
    Image,
    /// One of a few words.
    Choice(&'static [&'static str]),
    /// A table of settings (`[extra]`), edited as TOML.
    Table,
}

/// One front matter key as one kind of file has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Field {
    pub key: &'static str,
    /// What a form and every message call it.
    pub label: &'static str,
    pub input: Input,
    /// What it is for, in the words `grove new` writes beside it.
    pub help: &'static str,
    /// The file is refused without it.
    pub required: bool,
}

/// Where a field is used: a kind of page, or a section's `_index.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Owner {
    Article,
    Faq,
    Team,
    Page,
    Section,
}

/// One field of the table, with every owner that has it.
struct Definition {
    key: &'static str,
    input: Input,
    uses: &'static [(Owner, &'static str, &'static str, bool)],
}

macro_rules! required {
    (required) => {
        true
    };
    (optional) => {
        false
    };
}

/// Declares the table: `key: Type = Input { Owner, ..: required|optional "Label", "help"; }`.
/// It makes `Meta` (one typed member per key), `DEFINITIONS` and `Meta::read_field`.
macro_rules! front_matter {
    ($(
        $(#[$attr:meta])*
        $key:ident: $ty:ty = $input:expr, {
            $($($owner:ident),+ : $req:ident $label:literal, $help:literal;)+
        }
    )+) => {
        /// The front matter of a page or section, typed and checked: one member per field
        /// of the table, its default when the file does not have it. Templates see it as
        /// the page's (or section's) own values.
        #[derive(Debug, Clone, Default, Serialize)]
        pub struct Meta {
            $($(#[$attr])* pub $key: $ty,)+
        }

        const DEFINITIONS: &[Definition] = &[$(Definition {
            key: stringify!($key),
            input: $input,
            uses: &[$($((Owner::$owner, $label, $help, required!($req)),)+)+],
        },)+];

        impl Meta {
            /// Reads `value` into the member named `field.key`; `Err` says what is wrong
            /// with it in the field's own words.
            pub(crate) fn read_field(
                &mut self,
                field: &Field,
                value: &toml::Value,
                reading: &super::field_types::Reading,
            ) -> Result<(), super::field_types::Wrong> {
                match field.key {
                    $(stringify!($key) => {
                        self.$key = super::field_types::FieldType::read(value, field, reading)?;
                    })+
                    _ => {}
                }
                Ok(())
            }
        }
    };
}

front_matter! {
    /// For a team bio, its `name`.
    title: String = Input::Text, {
        Article: required "Title", "the article's title";
        Faq: required "Question", "the question, as a reader would ask it";
        Page: required "Title", "the page's title";
        Section: optional "Title", "the section's title";
    }
    name: String = Input::Text, {
        Team: required "Full name", "the person's full name";
    }
    credentials: String = Input::Text, {
        Team: optional "Credentials", "e.g. \"LCSW\", \"PhD\", \"MD (Retired)\"";
    }
    role: String = Input::Text, {
        Team: optional "Role", "e.g. \"Licensed Clinical Social Worker\"";
    }
    /// For a team bio, its `summary`.
    description: String = Input::Paragraph, {
        Article, Faq, Page, Section: optional "Description",
            "one sentence for search engines, lists and link previews";
    }
    summary: String = Input::Paragraph, {
        Team: optional "Summary", "one or two sentences for the team page and link previews";
    }
    #[serde(serialize_with = "date::iso")]
    date: Option<Date> = Input::Date, {
        Article, Page: optional "Published", "the day it is published";
    }
    #[serde(serialize_with = "date::iso")]
    updated: Option<Date> = Input::Date, {
        Article, Page: optional "Last updated", "the day it was last changed";
    }
    weight: i64 = Input::Number, {
        Faq, Team, Page: optional "Order", "order in its list: smaller comes first";
    }
    /// Templates see the topics as links (`page.tags`), made by the site.
    #[serde(skip)]
    tags: Vec<String> = Input::List, {
        Article: optional "Topics", "topics, e.g. [\"anxiety\", \"mindfulness\"]; each gets a page";
    }
    /// Templates see the entries as links (`page.related`), made by the site.
    #[serde(skip)]
    related: Vec<String> = Input::List, {
        Faq: optional "Related articles",
            "articles the answer relates to, e.g. [\"articles/ketamine-assisted-psychotherapy.md\"]";
    }
    languages: Vec<String> = Input::List, {
        Team: optional "Languages", "languages they work in, e.g. [\"English\", \"Spanish\"]";
    }
    photo: Option<String> = Input::Image, {
        Team: optional "Photo", "a portrait, any size: the site shows a square cut around the focal point";
    }
    photo_focus: Option<Focus> = Input::Text, {
        Team: optional "Photo focal point",
            "where the face is, across then down, from 0 to 1: \"0.5,0.3\" keeps the upper middle when the photo is cut square; the centre when empty";
    }
    image: Option<String> = Input::Image, {
        Article, Faq, Page: optional "Share image",
            "the picture shown when the page is shared; put it in static/images/";
    }
    image_alt: String = Input::Text, {
        Article, Faq, Page: optional "Share image, in words",
            "what the picture shows, in words: required with image";
    }
    sort_by: SortBy = Input::Choice(&["date", "weight", "title"]), {
        Section: optional "Order of its pages", "date (newest first), weight (smallest first) or title";
    }
    paginate_by: Option<usize> = Input::Number, {
        Section: optional "Pages per list page",
            "how many pages each list page shows; all on one page without it";
    }
    template: Option<String> = Input::Text, {
        Page: optional "Template", "the theme's template for it; page.html unless told otherwise";
        Section: optional "Template", "the theme's template for the section";
    }
    draft: bool = Input::Bool, {
        Article, Faq, Team, Page: optional "Draft",
            "true keeps it off the site while you write; change to false when it is ready to publish";
    }
    /// Templates see the page's slug, made from this or the file name.
    #[serde(skip)]
    slug: Option<String> = Input::Text, {
        Article, Faq, Team, Page: optional "Address",
            "the end of the page's address, instead of the file name";
    }
    aliases: Vec<String> = Input::List, {
        Article, Faq, Team, Page: optional "Old addresses",
            "old addresses that should lead here, e.g. [\"/blog/old-post/\"]";
    }
    extra: toml::Table = Input::Table, {
        Article, Faq, Team, Page, Section: optional "Theme settings",
            "settings for the theme; rarely needed";
    }
}

/// The fields of each owner, in the table's order: made once from `DEFINITIONS`.
static LISTS: LazyLock<[Vec<Field>; 5]> = LazyLock::new(|| {
    let list = |owner: Owner| {
        DEFINITIONS
            .iter()
            .flat_map(|d| {
                d.uses.iter().filter(move |(o, ..)| *o == owner).map(
                    move |&(_, label, help, required)| Field {
                        key: d.key,
                        label,
                        input: d.input,
                        help,
                        required,
                    },
                )
            })
            .collect()
    };
    [
        list(Owner::Article),
        list(Owner::Faq),
        list(Owner::Team),
        list(Owner::Page),
        list(Owner::Section),
    ]
});

/// The fields of a section's `_index.md`.
pub fn section_fields() -> &'static [Field] {
    &LISTS[4]
}

impl Kind {
    /// Every kind, in the order the docs list them.
    pub const ALL: [Kind; 4] = [Kind::Article, Kind::Faq, Kind::Team, Kind::Page];

    /// The kind of a page from its path under `content/`: the top folder decides.
    pub fn of(relative_path: &str) -> Kind {
        match relative_path.split('/').next() {
            Some("articles") if relative_path.contains('/') => Kind::Article,
            Some("faq") if relative_path.contains('/') => Kind::Faq,
            Some("team") if relative_path.contains('/') => Kind::Team,
            _ => Kind::Page,
        }
    }

    /// The folder under `content/` that holds this kind (empty for plain pages).
    pub fn folder(self) -> &'static str {
        match self {
            Kind::Article => "articles",
            Kind::Faq => "faq",
            Kind::Team => "team",
            Kind::Page => "",
        }
    }

    /// The template that renders a page of this kind.
    pub fn template(self) -> &'static str {
        match self {
            Kind::Article => "article.html",
            Kind::Faq => "faq_entry.html",
            Kind::Team => "bio.html",
            Kind::Page => "page.html",
        }
    }

    /// The front matter fields of this kind.
    pub fn fields(self) -> &'static [Field] {
        &LISTS[self as usize]
    }

    /// The field that names a page of this kind: its title, or a person's name.
    pub fn title_field(self) -> &'static Field {
        &self.fields()[0]
    }

    /// `an article`, for messages.
    pub fn described(self) -> &'static str {
        match self {
            Kind::Article => "an article",
            Kind::Faq => "a FAQ entry",
            Kind::Team => "a team bio",
            Kind::Page => "a page",
        }
    }

    /// The smallest front matter of this kind, for messages.
    pub fn example(self) -> &'static str {
        match self {
            Kind::Article => {
                "+++\ntitle = \"The article's title\"\ndate = 2025-01-31\ndescription = \"One sentence about it.\"\n+++"
            }
            Kind::Faq => {
                "+++\ntitle = \"The question, as a reader would ask it?\"\nweight = 10\n+++"
            }
            Kind::Team => {
                "+++\nname = \"Full Name\"\ncredentials = \"LCSW\"\nrole = \"Therapist\"\nweight = 10\n+++"
            }
            Kind::Page => "+++\ntitle = \"The page's title\"\n+++",
        }
    }
}

/// The field of `key`, for a kind of page or (`None`) for a section.
pub fn find(kind: Option<Kind>, key: &str) -> Option<&'static Field> {
    let list = kind.map_or(section_fields(), Kind::fields);
    list.iter().find(|f| f.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_comes_from_the_top_folder() {
        assert_eq!(Kind::of("articles/x.md"), Kind::Article);
        assert_eq!(Kind::of("faq/x.md"), Kind::Faq);
        assert_eq!(Kind::of("team/x.md"), Kind::Team);
        assert_eq!(Kind::of("about.md"), Kind::Page);
        assert_eq!(Kind::of("faq.md"), Kind::Page);
    }

    #[test]
    fn every_kind_has_a_required_title_or_name_first_and_no_key_twice() {
        for kind in Kind::ALL {
            let keys: Vec<&str> = kind.fields().iter().map(|f| f.key).collect();
            let mut unique = keys.clone();
            unique.sort_unstable();
            unique.dedup();
            assert_eq!(keys.len(), unique.len(), "{kind:?}");
            let required: Vec<&str> = kind
                .fields()
                .iter()
                .filter(|f| f.required)
                .map(|f| f.key)
                .collect();
            let title = if kind == Kind::Team { "name" } else { "title" };
            assert_eq!(required, [title]);
            assert_eq!(kind.title_field().key, title);
            assert!(
                kind.fields()
                    .iter()
                    .all(|f| !f.help.is_empty() && !f.label.is_empty())
            );
        }
        assert!(section_fields().iter().all(|f| !f.required));
    }

    #[test]
    fn each_kind_takes_its_own_fields() {
        assert_eq!(
            find(Some(Kind::Article), "date").unwrap().input,
            Input::Date
        );
        assert_eq!(find(Some(Kind::Team), "photo").unwrap().input, Input::Image);
        assert_eq!(find(Some(Kind::Faq), "title").unwrap().label, "Question");
        assert!(find(Some(Kind::Article), "weight").is_none());
        assert!(find(Some(Kind::Faq), "tags").is_none());
        assert!(matches!(
            find(None, "sort_by").unwrap().input,
            Input::Choice(["date", "weight", "title"])
        ));
    }

    #[test]
    fn every_field_of_the_table_is_used_by_some_kind_and_read_into_meta() {
        let reading = super::super::field_types::Reading {
            tz: jiff::tz::TimeZone::UTC,
        };
        for d in DEFINITIONS {
            assert!(!d.uses.is_empty(), "{}", d.key);
            // a value of the wrong type is refused by the member the key names, which
            // proves the macro matched every key to its member
            let (owner, label, help, required) = d.uses[0];
            let field = Field {
                key: d.key,
                label,
                input: d.input,
                help,
                required,
            };
            let _ = owner;
            let wrong = if d.input == Input::Bool {
                toml::Value::Integer(3)
            } else {
                toml::Value::Boolean(true)
            };
            let error = Meta::default()
                .read_field(&field, &wrong, &reading)
                .unwrap_err();
            assert!(error.message.starts_with(label), "{}: {error:?}", d.key);
        }
    }
}
