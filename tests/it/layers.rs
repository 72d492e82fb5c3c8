//! The layers of `docs/architecture.md`, enforced: every `crate::` path in `src/` (use
//! lines, paths in code, `super::` climbing to the crate root, names `lib.rs` re-exports)
//! must point to a module on a lower layer of the table in that file. Comments and
//! string literals are not code and do not count. No exceptions.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// An import of one top-level module by another, where it is written.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Edge {
    from: String,
    to: String,
    at: String,
}

/// The layer of each module, from the table under "## Layers" in docs/architecture.md:
/// rows `| N | `a`, `b` | ... |`.
fn layers(architecture: &str) -> BTreeMap<String, usize> {
    let section = architecture
        .split("\n## ")
        .find(|s| s.starts_with("Layers"))
        .expect("docs/architecture.md has a section `## Layers`");
    let mut layers = BTreeMap::new();
    for row in section.lines().filter(|l| l.starts_with('|')) {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let Some(Ok(layer)) = cells.get(1).map(|c| c.parse::<usize>()) else {
            continue;
        };
        for module in cells[2].split(',') {
            let name = module.trim().trim_matches('`').trim_end_matches('/');
            assert!(
                layers.insert(name.to_string(), layer).is_none(),
                "`{name}` is in the layer table twice"
            );
        }
    }
    layers
}

/// The text of a Rust file with comments and the contents of string and character
/// literals blanked out (newlines kept, so that line numbers stay right).
fn code_only(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    let mut i = 0;
    // Skips to just past `end` (not blanking what `end` is made of).
    let skip_to = |i: &mut usize, out: &mut String, end: &[char]| {
        while *i < chars.len() && !chars[*i..].starts_with(end) {
            if end == ['"'] && chars[*i] == '\\' {
                out.push(' ');
                *i += 1;
            }
            if let Some(&c) = chars.get(*i) {
                out.push(blank(c));
            }
            *i += 1;
        }
        *i += end.len();
    };
    while i < chars.len() {
        let (c, next) = (chars[i], chars.get(i + 1).copied());
        let raw_hashes = chars[(i + 1).min(chars.len())..]
            .iter()
            .take_while(|&&h| h == '#')
            .count();
        if c == '/' && next == Some('/') {
            skip_to(&mut i, &mut out, &['\n']);
            out.push('\n');
        } else if c == '/' && next == Some('*') {
            // grove has no nested block comments
            i += 2;
            skip_to(&mut i, &mut out, &['*', '/']);
        } else if c == 'r'
            && !ident(i.checked_sub(1).map(|j| &chars[j]))
            && chars.get(i + 1 + raw_hashes) == Some(&'"')
        {
            let close: Vec<char> = std::iter::once('"')
                .chain(std::iter::repeat_n('#', raw_hashes))
                .collect();
            i += 2 + raw_hashes;
            skip_to(&mut i, &mut out, &close);
        } else if c == '"' {
            i += 1;
            skip_to(&mut i, &mut out, &['"']);
        } else if c == '\'' && (chars.get(i + 2) == Some(&'\'') || next == Some('\\')) {
            // a character literal ('a', '\n', '\u{2028}'), not a lifetime
            i += if next == Some('\\') { 3 } else { 2 };
            skip_to(&mut i, &mut out, &['\'']);
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn ident(c: Option<&char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || *c == '_')
}

/// The first segment after each `crate::` (or after enough `super::` to reach the crate
/// root from `module`, the file's module path), with the line it is on.
fn targets(code: &str, module: &[String]) -> Vec<(String, usize)> {
    let mut found = Vec::new();
    let mut line = 1;
    let mut previous = ' ';
    for (i, c) in code.char_indices() {
        if c == '\n' {
            line += 1;
        }
        let starts_path = !ident(Some(&previous)) && !matches!(previous, ':' | '$');
        previous = c;
        if !starts_path {
            continue;
        }
        let rest = &code[i..];
        let after = if let Some(path) = rest.strip_prefix("crate::") {
            Some(path)
        } else {
            let mut path = rest;
            let mut climbs = 0;
            while let Some(more) = path.strip_prefix("super::") {
                climbs += 1;
                path = more;
            }
            (climbs > 0 && climbs == module.len()).then_some(path)
        };
        if let Some(path) = after {
            found.extend(first_segments(path).into_iter().map(|name| (name, line)));
        }
    }
    found
}

/// `diag::Error` -> `diag`; `{diag::{Error, Result}, fs}` -> `diag`, `fs`.
fn first_segments(path: &str) -> Vec<String> {
    let leading = |s: &str| -> String {
        s.trim_start()
            .chars()
            .take_while(|c| ident(Some(c)))
            .collect()
    };
    let Some(group) = path.trim_start().strip_prefix('{') else {
        return vec![leading(path)];
    };
    let mut items = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => {
                items.push(&group[start..i]);
                break;
            }
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&group[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items
        .into_iter()
        .map(leading)
        .filter(|n| !n.is_empty())
        .collect()
}

/// Names `lib.rs` re-exports (`pub use site::{BuildOptions, Site};`), by the module they
/// come from, so that `crate::Site` counts as an import of `site`.
fn reexports(lib: &str) -> BTreeMap<String, String> {
    let code = code_only(lib);
    let mut names = BTreeMap::new();
    for statement in code.split(';') {
        let Some(path) = statement.trim().strip_prefix("pub use ") else {
            continue;
        };
        let module: String = path.chars().take_while(|c| ident(Some(c))).collect();
        let imported = match path.find('{') {
            Some(open) => path[open + 1..path.rfind('}').unwrap_or(path.len())].to_string(),
            None => path.rsplit("::").next().unwrap_or_default().to_string(),
        };
        for name in imported.split(',') {
            let name = name.rsplit(" as ").next().unwrap_or(name).trim();
            let name = name.rsplit("::").next().unwrap_or(name);
            names.insert(name.to_string(), module.clone());
        }
    }
    names
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every import of one top-level module by another in `src/`.
fn edges(src: &Path) -> Vec<Edge> {
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let reexported = reexports(&lib);
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.sort();
    let mut edges = Vec::new();
    for file in files {
        let rel = file
            .strip_prefix(src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        // the crate root and the binary are above every layer
        if rel == "lib.rs" || rel == "main.rs" {
            continue;
        }
        let module: Vec<String> = rel
            .trim_end_matches(".rs")
            .split('/')
            .filter(|s| *s != "mod")
            .map(str::to_string)
            .collect();
        let code = code_only(&std::fs::read_to_string(&file).unwrap());
        for (target, line) in targets(&code, &module) {
            let to = reexported.get(&target).cloned().unwrap_or(target);
            if to != module[0] {
                edges.push(Edge {
                    from: module[0].clone(),
                    to,
                    at: format!("src/{rel}:{line}"),
                });
            }
        }
    }
    edges
}

#[test]
fn every_import_points_down_the_layer_table() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let architecture = std::fs::read_to_string(repo.join("docs/architecture.md")).unwrap();
    let layers = layers(&architecture);
    assert!(layers.len() >= 10, "the layer table: {layers:?}");
    let src = repo.join("src");
    let edges = edges(&src);
    assert!(
        edges.len() > 100,
        "the scan found only {} imports",
        edges.len()
    );

    let modules: BTreeSet<&String> = edges.iter().map(|e| &e.from).collect();
    let unplaced: Vec<&&String> = modules
        .iter()
        .filter(|m| !layers.contains_key(**m))
        .collect();
    assert!(
        unplaced.is_empty(),
        "modules missing from the layer table in docs/architecture.md: {unplaced:?}"
    );
    let up: Vec<String> = edges
        .iter()
        .filter(|e| match (layers.get(&e.from), layers.get(&e.to)) {
            (Some(from), Some(to)) => to >= from,
            // a crate-root item (VERSION) is below everything
            _ => false,
        })
        .map(|e| format!("{} -> {} ({})", e.from, e.to, e.at))
        .collect();
    assert!(
        up.is_empty(),
        "imports that do not point down the layer table of docs/architecture.md \
         (a module uses only lower layers; one layer's modules do not use each other):\n{}",
        up.join("\n")
    );
}

#[test]
fn the_scan_reads_paths_and_skips_comments_and_strings() {
    let source = r##"
use crate::diag::{Error, Result};
use crate::{fs::walk, slugs};
// use crate::render::Job;
/* crate::pipeline */
let s = "crate::cmd";
let r = r#"crate::cmd "quoted""#;
let c = '"'; let l: &'static str = x;
pub(crate) fn f() { crate::site::Site::load(); super::super::config::x(); }
"##;
    let code = code_only(source);
    let module = vec!["content".to_string(), "page".to_string()];
    let found: Vec<String> = targets(&code, &module)
        .into_iter()
        .map(|(name, line)| format!("{name}:{line}"))
        .collect();
    assert_eq!(found, ["diag:2", "fs:3", "slugs:3", "site:9", "config:9"]);
    assert_eq!(
        first_segments("{diag::{Error, Result}, fs, markdown::{self, Link}}"),
        ["diag", "fs", "markdown"]
    );
    let lib = "pub use cmd::build::build;\npub use site::{BuildOptions, Site};\npub const V: &str = \"\";";
    let names = reexports(lib);
    assert_eq!(names["Site"], "site");
    assert_eq!(names["build"], "cmd");
}
