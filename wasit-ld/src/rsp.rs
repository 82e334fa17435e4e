//! `@file` response files, expanded the way LLVM tools do with GNU quoting:
//! whitespace separates arguments, `'…'` and `"…"` group, a backslash
//! escapes the next character (inside quotes too), nested `@file`s are
//! expanded recursively, and an `@file` that cannot be read is kept as a
//! literal argument.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// Nesting deeper than this is a cycle (LLVM stops at the same kind of limit).
const MAX_DEPTH: usize = 64;

#[derive(Debug, thiserror::Error)]
pub enum RspError {
    #[error("response file {0} includes itself (directly or through others)")]
    Cycle(PathBuf),
    #[error("response file {0} is not UTF-8")]
    NotUtf8(PathBuf),
    #[error("unsupported response file quoting `{0}` (only `posix` is supported)")]
    Quoting(String),
}

/// Splits response-file text into arguments (GNU rules).
pub fn tokenize_gnu(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut token = String::new();
    let mut in_token = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_token {
                    out.push(std::mem::take(&mut token));
                    in_token = false;
                }
            }
            '\\' => {
                in_token = true;
                match chars.next() {
                    // A backslash-newline pair joins lines.
                    Some('\n') => {}
                    Some('\r') if chars.peek() == Some(&'\n') => {
                        chars.next();
                    }
                    Some(n) => token.push(n),
                    None => token.push('\\'),
                }
            }
            '\'' | '"' => {
                in_token = true;
                let quote = c;
                while let Some(q) = chars.next() {
                    if q == quote {
                        break;
                    }
                    if q == '\\' {
                        match chars.next() {
                            Some(n) => token.push(n),
                            None => token.push('\\'),
                        }
                    } else {
                        token.push(q);
                    }
                }
            }
            c => {
                in_token = true;
                token.push(c);
            }
        }
    }
    if in_token {
        out.push(token);
    }
    out
}

/// Expands every `@file` argument in `args`, recursively.
pub fn expand(args: Vec<OsString>) -> Result<Vec<OsString>, RspError> {
    // `--rsp-quoting=windows` changes the rules; we implement GNU only.
    for a in &args {
        let s = a.to_string_lossy();
        let value = s
            .strip_prefix("--rsp-quoting=")
            .or_else(|| s.strip_prefix("-rsp-quoting="));
        if let Some(v) = value {
            if v != "posix" {
                return Err(RspError::Quoting(v.to_string()));
            }
        }
    }
    let mut out = Vec::with_capacity(args.len());
    let mut stack = Vec::new();
    expand_into(args, &mut out, &mut stack)?;
    Ok(out)
}

fn expand_into(
    args: Vec<OsString>,
    out: &mut Vec<OsString>,
    stack: &mut Vec<PathBuf>,
) -> Result<(), RspError> {
    for arg in args {
        let Some(path) = arg
            .to_str()
            .and_then(|s| s.strip_prefix('@'))
            .map(Path::new)
        else {
            out.push(arg);
            continue;
        };
        let Ok(bytes) = std::fs::read(path) else {
            // As in LLVM: an unreadable `@name` is an ordinary argument.
            out.push(arg);
            continue;
        };
        let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        if stack.contains(&canonical) || stack.len() >= MAX_DEPTH {
            return Err(RspError::Cycle(path.to_path_buf()));
        }
        let text = String::from_utf8(bytes).map_err(|_| RspError::NotUtf8(path.to_path_buf()))?;
        stack.push(canonical);
        expand_into(
            tokenize_gnu(&text)
                .into_iter()
                .map(OsString::from)
                .collect(),
            out,
            stack,
        )?;
        stack.pop();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gnu_quoting() {
        assert_eq!(tokenize_gnu("  a b\t\nc  "), ["a", "b", "c"]);
        assert_eq!(tokenize_gnu(r#"'a b' "c d" e\ f"#), ["a b", "c d", "e f"]);
        assert_eq!(tokenize_gnu(r#"x"y z"w"#), ["xy zw"]);
        assert_eq!(tokenize_gnu(r#""a\"b" 'c\'d' \\"#), ["a\"b", "c'd", "\\"]);
        assert_eq!(tokenize_gnu(r#""" ''"#), ["", ""]);
        assert_eq!(tokenize_gnu("a\\\nb"), ["ab"]);
        assert_eq!(tokenize_gnu(""), Vec::<String>::new());
    }

    #[test]
    fn nested_files_expand_in_place_and_cycles_fail() {
        let dir = tempfile::tempdir().unwrap();
        let inner = dir.path().join("inner.rsp");
        let outer = dir.path().join("outer.rsp");
        std::fs::write(&inner, "-lc 'with space.o'\n").unwrap();
        std::fs::write(
            &outer,
            format!("-flavor wasm @{} -o \"out put.wasm\"", inner.display()),
        )
        .unwrap();
        let args = vec![
            OsString::from("first"),
            OsString::from(format!("@{}", outer.display())),
            "last".into(),
        ];
        let got = expand(args).unwrap();
        assert_eq!(
            got,
            [
                "first",
                "-flavor",
                "wasm",
                "-lc",
                "with space.o",
                "-o",
                "out put.wasm",
                "last"
            ]
        );

        // Missing files stay literal.
        assert_eq!(
            expand(vec!["@/nonexistent/x".into()]).unwrap(),
            ["@/nonexistent/x"]
        );

        let a = dir.path().join("a.rsp");
        std::fs::write(&a, format!("@{}", a.display())).unwrap();
        assert!(matches!(
            expand(vec![format!("@{}", a.display()).into()]),
            Err(RspError::Cycle(_))
        ));
        assert!(matches!(
            expand(vec!["--rsp-quoting=windows".into()]),
            Err(RspError::Quoting(_))
        ));
    }
}
