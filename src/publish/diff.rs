//! Which lines of a text changed between two versions: for "show the change" on the
//! publish page and for the two versions side by side when a colleague changed the same
//! page. Myers' algorithm on lines, with a bound on the work: two texts too different to
//! compare cheaply are shown as all removed and all added.

/// One line of a comparison.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", content = "text", rename_all = "lowercase")]
pub enum Line {
    Same(String),
    Removed(String),
    Added(String),
}

/// Most differing lines compared exactly; beyond this the texts are shown as replaced.
const MAX_EDITS: usize = 1_000;

/// The lines of `old` and `new`, in order, each kept, removed or added.
pub fn lines(old: &str, new: &str) -> Vec<Line> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    // Lines the two share at the start and the end need no search.
    let start = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let end = a[start..]
        .iter()
        .rev()
        .zip(b[start..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (mid_a, mid_b) = (&a[start..a.len() - end], &b[start..b.len() - end]);
    let mut out: Vec<Line> = a[..start]
        .iter()
        .map(|l| Line::Same(l.to_string()))
        .collect();
    match middle(mid_a, mid_b) {
        Some(ops) => out.extend(ops),
        None => {
            out.extend(mid_a.iter().map(|l| Line::Removed(l.to_string())));
            out.extend(mid_b.iter().map(|l| Line::Added(l.to_string())));
        }
    }
    out.extend(a[a.len() - end..].iter().map(|l| Line::Same(l.to_string())));
    out
}

/// Myers' greedy search for the shortest edit script, keeping each round's frontier to
/// walk back; `None` when more than [`MAX_EDITS`] edits would be needed.
fn middle(a: &[&str], b: &[&str]) -> Option<Vec<Line>> {
    let (n, m) = (a.len() as isize, b.len() as isize);
    let max = (n + m).min(MAX_EDITS as isize);
    let offset = max + 1;
    let mut v = vec![0isize; 2 * offset as usize + 1];
    // Round d reads and writes diagonals -d-1..=d+1 only: that part of `v` is kept.
    let mut trace: Vec<Vec<isize>> = Vec::new();
    let mut found = false;
    for d in 0..=max {
        trace.push(v[(offset - d - 1) as usize..=(offset + d + 1) as usize].to_vec());
        let mut k = -d;
        while k <= d {
            let i = (k + offset) as usize;
            let mut x = if k == -d || (k != d && v[i - 1] < v[i + 1]) {
                v[i + 1]
            } else {
                v[i - 1] + 1
            };
            let mut y = x - k;
            while x < n && y < m && a[x as usize] == b[y as usize] {
                x += 1;
                y += 1;
            }
            v[i] = x;
            if x >= n && y >= m {
                found = true;
                break;
            }
            k += 2;
        }
        if found {
            break;
        }
    }
    if !found {
        return None;
    }
    // Walk back from the end through each round's frontier.
    let mut ops = Vec::new();
    let (mut x, mut y) = (n, m);
    for d in (0..trace.len() as isize).rev() {
        let saved = &trace[d as usize];
        let at = |k: isize| saved[(k + d + 1) as usize];
        let k = x - y;
        let prev_k = if k == -d || (k != d && at(k - 1) < at(k + 1)) {
            k + 1
        } else {
            k - 1
        };
        let prev_x = if d == 0 { 0 } else { at(prev_k) };
        let prev_y = if d == 0 { 0 } else { prev_x - prev_k };
        while x > prev_x && y > prev_y {
            x -= 1;
            y -= 1;
            ops.push(Line::Same(a[x as usize].to_string()));
        }
        if d > 0 {
            if x == prev_x {
                y -= 1;
                ops.push(Line::Added(b[y as usize].to_string()));
            } else {
                x -= 1;
                ops.push(Line::Removed(a[x as usize].to_string()));
            }
        }
    }
    ops.reverse();
    Some(ops)
}

/// The comparison cut to the changed lines and `context` lines around each; `None`
/// stands for lines left out.
pub fn around_changes(lines: &[Line], context: usize) -> Vec<Option<&Line>> {
    let changed: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| !matches!(l, Line::Same(_)))
        .map(|(i, _)| i)
        .collect();
    let keep = |i: usize| {
        changed
            .binary_search_by(|c| {
                if c + context < i {
                    std::cmp::Ordering::Less
                } else if *c > i + context {
                    std::cmp::Ordering::Greater
                } else {
                    std::cmp::Ordering::Equal
                }
            })
            .is_ok()
    };
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if keep(i) {
            out.push(Some(line));
        } else if out.last().is_none_or(|l| l.is_some()) {
            out.push(None);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(lines: &[Line]) -> String {
        lines
            .iter()
            .map(|l| match l {
                Line::Same(t) => format!(" {t}"),
                Line::Removed(t) => format!("-{t}"),
                Line::Added(t) => format!("+{t}"),
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Both texts can be read back from the comparison: nothing is lost or invented.
    fn sides(lines: &[Line]) -> (String, String) {
        let (mut old, mut new) = (Vec::new(), Vec::new());
        for l in lines {
            match l {
                Line::Same(t) => {
                    old.push(t.as_str());
                    new.push(t.as_str());
                }
                Line::Removed(t) => old.push(t),
                Line::Added(t) => new.push(t),
            }
        }
        (old.join("\n"), new.join("\n"))
    }

    #[test]
    fn a_changed_line_is_removed_then_added_and_the_rest_kept() {
        let old = "+++\ntitle = \"A\"\n+++\nOne.\nTwo.\nThree.\n";
        let new = "+++\ntitle = \"B\"\n+++\nOne.\nThree.\nFour.\n";
        assert_eq!(
            shown(&lines(old, new)),
            " +++\n-title = \"A\"\n+title = \"B\"\n +++\n One.\n-Two.\n Three.\n+Four."
        );
        assert_eq!(shown(&lines("", "a\nb")), "+a\n+b");
        assert_eq!(shown(&lines("a\nb", "")), "-a\n-b");
        assert!(
            lines("same\n", "same\n")
                .iter()
                .all(|l| matches!(l, Line::Same(_)))
        );
    }

    #[test]
    fn every_comparison_gives_back_both_texts() {
        let texts = [
            "",
            "a",
            "a\nb\nc",
            "b\nc\na",
            "a\na\na\nb",
            "x\ny\na\na",
            "1\n2\n3\n4\n5\n6",
            "6\n5\n4\n3\n2\n1",
            "a\n\nb\n\nc",
        ];
        for old in texts {
            for new in texts {
                let diff = lines(old, new);
                let (o, n) = sides(&diff);
                assert_eq!(
                    o,
                    old.lines().collect::<Vec<_>>().join("\n"),
                    "{old:?} -> {new:?}"
                );
                assert_eq!(
                    n,
                    new.lines().collect::<Vec<_>>().join("\n"),
                    "{old:?} -> {new:?}"
                );
            }
        }
    }

    #[test]
    fn huge_and_repeated_texts_are_compared_within_bounds() {
        let repeated = "the same line\n".repeat(200_000);
        let one_more = format!("{repeated}one more\n");
        let diff = lines(&repeated, &one_more);
        assert_eq!(
            diff.iter().filter(|l| matches!(l, Line::Added(_))).count(),
            1
        );
        // Two long texts with nothing in common: shown as replaced, quickly.
        let a: String = (0..50_000).map(|i| format!("a{i}\n")).collect();
        let b: String = (0..50_000).map(|i| format!("b{i}\n")).collect();
        let diff = lines(&a, &b);
        assert_eq!(diff.len(), 100_000);
        let (o, n) = sides(&diff);
        assert_eq!((o.len() + 1, n.len() + 1), (a.len(), b.len()));
        // Scattered small changes in a long text are found exactly.
        let c = a
            .replace("a100\n", "changed\n")
            .replace("a4321\n", "also changed\n");
        let diff = lines(&a, &c);
        assert_eq!(
            diff.iter().filter(|l| matches!(l, Line::Added(_))).count(),
            2
        );
        assert_eq!(
            diff.iter()
                .filter(|l| matches!(l, Line::Removed(_)))
                .count(),
            2
        );
    }

    #[test]
    fn only_lines_near_a_change_are_kept() {
        let old: String = (0..20).map(|i| format!("{i}\n")).collect();
        let new = old.replace("10\n", "ten\n");
        let diff = lines(&old, &new);
        let cut = around_changes(&diff, 2);
        let texts: Vec<String> = cut
            .iter()
            .map(|l| l.map_or("…".to_string(), |l| shown(std::slice::from_ref(l))))
            .collect();
        assert_eq!(texts, ["…", " 8", " 9", "-10", "+ten", " 11", " 12", "…"]);
    }
}
