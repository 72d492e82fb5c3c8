//! The front matter each kind of file accepts: one list of fields with their input type
//! and help text, which the parser (allowed keys), `grove new` (the commented lines) and
//! the preview's editor (its form) all read, so the three can never disagree.

use serde::Serialize;

/// The kinds of page, each with its own front matter and template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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

/// One front matter key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Field {
    pub key: &'static str,
    /// What a form calls it.
    pub label: &'static str,
    pub input: Input,
    /// What it is for, in the words `grove new` writes beside it.
    pub help: &'static str,
    /// The file is refused without it.
    pub required: bool,
}

const fn field(key: &'static str, label: &'static str, input: Input, help: &'static str) -> Field {
    Field {
        key,
        label,
        input,
        help,
        required: false,
    }
}

const fn required(
    key: &'static str,
    label: &'static str,
    input: Input,
    help: &'static str,
) -> Field {
    Field {
        key,
        label,
        input,
        help,
        required: true,
    }
}

const DESCRIPTION: Field = field(
    "description",
    "Description",
    Input::Paragraph,
    "one sentence for search engines, lists and link previews",
);
const DATE: Field = field("date", "Published", Input::Date, "the day it is published");
const UPDATED: Field = field(
    "updated",
    "Last updated",
    Input::Date,
    "the day it was last changed",
);
const IMAGE: Field = field(
    "image",
    "Share image",
    Input::Image,
    "the picture shown when the page is shared; put it in static/images/",
);
const IMAGE_ALT: Field = field(
    "image_alt",
    "Share image, in words",
    Input::Text,
    "what the picture shows, in words: required with image",
);
const DRAFT: Field = field(
    "draft",
    "Draft",
    Input::Bool,
    "true keeps it off the site while you write; change to false when it is ready to publish",
);
const SLUG: Field = field(
    "slug",
    "Address",
    Input::Text,
    "the end of the page's address, instead of the file name",
);
const ALIASES: Field = field(
    "aliases",
    "Old addresses",
    Input::List,
    "old addresses that should lead here, e.g. [\"/blog/old-post/\"]",
);
const EXTRA: Field = field(
    "extra",
    "Theme settings",
    Input::Table,
    "settings for the theme; rarely needed",
);
const WEIGHT: Field = field(
    "weight",
    "Order",
    Input::Number,
    "order in its list: smaller comes first",
);

const ARTICLE: &[Field] = &[
    required("title", "Title", Input::Text, "the article's title"),
    DESCRIPTION,
    DATE,
    UPDATED,
    field(
        "tags",
        "Topics",
        Input::List,
        "topics, e.g. [\"anxiety\", \"mindfulness\"]; each gets a page",
    ),
    IMAGE,
    IMAGE_ALT,
    DRAFT,
    SLUG,
    ALIASES,
    EXTRA,
];

const FAQ: &[Field] = &[
    required(
        "title",
        "Question",
        Input::Text,
        "the question, as a reader would ask it",
    ),
    DESCRIPTION,
    WEIGHT,
    field(
        "related",
        "Related articles",
        Input::List,
        "articles the answer relates to, e.g. [\"articles/ketamine-assisted-psychotherapy.md\"]",
    ),
    IMAGE,
    IMAGE_ALT,
    DRAFT,
    SLUG,
    ALIASES,
    EXTRA,
];

const TEAM: &[Field] = &[
    required("name", "Full name", Input::Text, "the person's full name"),
    field(
        "credentials",
        "Credentials",
        Input::Text,
        "e.g. \"LCSW\", \"PhD\", \"MD (Retired)\"",
    ),
    field(
        "role",
        "Role",
        Input::Text,
        "e.g. \"Licensed Clinical Social Worker\"",
    ),
    WEIGHT,
    field(
        "photo",
        "Photo",
        Input::Image,
        "a portrait, square, in static/images/team/",
    ),
    field(
        "languages",
        "Languages",
        Input::List,
        "languages they work in, e.g. [\"English\", \"Spanish\"]",
    ),
    field(
        "summary",
        "Summary",
        Input::Paragraph,
        "one or two sentences for the team page and link previews",
    ),
    DRAFT,
    SLUG,
    ALIASES,
    EXTRA,
];

const PAGE: &[Field] = &[
    required("title", "Title", Input::Text, "the page's title"),
    DESCRIPTION,
    WEIGHT,
    DATE,
    UPDATED,
    field(
        "template",
        "Template",
        Input::Text,
        "the theme's template for it; page.html unless told otherwise",
    ),
    IMAGE,
    IMAGE_ALT,
    DRAFT,
    SLUG,
    ALIASES,
    EXTRA,
];

/// The fields of a section's `_index.md`.
pub const SECTION: &[Field] = &[
    field("title", "Title", Input::Text, "the section's title"),
    DESCRIPTION,
    field(
        "sort_by",
        "Order of its pages",
        Input::Choice(&["date", "weight", "title"]),
        "date (newest first), weight (smallest first) or title",
    ),
    field(
        "paginate_by",
        "Pages per list page",
        Input::Number,
        "how many pages each list page shows; all on one page without it",
    ),
    field(
        "template",
        "Template",
        Input::Text,
        "the theme's template for the section",
    ),
    EXTRA,
];

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
        match self {
            Kind::Article => ARTICLE,
            Kind::Faq => FAQ,
            Kind::Team => TEAM,
            Kind::Page => PAGE,
        }
    }

    /// The keys this kind accepts.
    pub fn keys(self) -> Vec<&'static str> {
        self.fields().iter().map(|f| f.key).collect()
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
    let list = kind.map_or(SECTION, Kind::fields);
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
    fn every_kind_has_a_required_title_or_name_and_no_key_twice() {
        for kind in Kind::ALL {
            let keys = kind.keys();
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
            assert_eq!(
                required,
                [if kind == Kind::Team { "name" } else { "title" }]
            );
            assert!(
                kind.fields()
                    .iter()
                    .all(|f| !f.help.is_empty() && !f.label.is_empty())
            );
        }
    }

    #[test]
    fn each_kind_takes_its_own_fields() {
        assert_eq!(
            find(Some(Kind::Article), "date").unwrap().input,
            Input::Date
        );
        assert_eq!(find(Some(Kind::Team), "photo").unwrap().input, Input::Image);
        assert!(find(Some(Kind::Article), "weight").is_none());
        assert!(find(Some(Kind::Faq), "tags").is_none());
        assert!(matches!(
            find(None, "sort_by").unwrap().input,
            Input::Choice(["date", "weight", "title"])
        ));
    }
}
