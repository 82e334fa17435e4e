//! Embeds the WASI 0.2 WIT shipped by the crates.io package `wasip2` (a
//! build-dependency) and the project's own worlds from `wit/`. The WIT is
//! read from the registry copy at build time and never committed.
use std::{env, fs, path::PathBuf};

const WASIP2_DIR: &str = "wasip2-2.0.1+wasi-0.2.12";

fn wasip2_wit_deps() -> PathBuf {
    if let Ok(dir) = env::var("WASIT2_WASIP2_WIT_DEPS") {
        return PathBuf::from(dir);
    }
    let cargo_home = env::var("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env::var("HOME").expect("HOME")).join(".cargo"));
    let src = cargo_home.join("registry").join("src");
    for index in fs::read_dir(&src).into_iter().flatten().flatten() {
        let deps = index.path().join(WASIP2_DIR).join("wit").join("deps");
        if deps.is_dir() {
            return deps;
        }
    }
    // Fall back to asking cargo where the package lives (vendored sources etc).
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("Cargo.toml");
    let out = std::process::Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--manifest-path"])
        .arg(&manifest)
        .output()
        .expect("run cargo metadata");
    let text = String::from_utf8_lossy(&out.stdout);
    let needle = format!("{WASIP2_DIR}/Cargo.toml");
    if let Some(end) = text.find(&needle) {
        let start = text[..end].rfind('"').unwrap() + 1;
        let dir = PathBuf::from(&text[start..end + WASIP2_DIR.len()]);
        return dir.join("wit").join("deps");
    }
    panic!("cannot locate the `wasip2` package's wit/deps; set WASIT2_WASIP2_WIT_DEPS");
}

/// `text` without its comment lines. The WASI WIT is three quarters doc
/// comments, which nothing here reads; lexing them was a fifth of a warm
/// `wasit2 run` start. Line-trailing comments stay (there are few).
fn without_comment_lines(text: &str) -> String {
    text.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .flat_map(|line| [line, "\n"])
        .collect()
}

/// Embeds every `.wit` file of `dir` as `name`, comment lines taken out
/// (copies in OUT_DIR).
fn embed(dir: &PathBuf, out: &mut String, name: &str) {
    let out_dir = PathBuf::from(env::var("OUT_DIR").unwrap()).join(name);
    fs::create_dir_all(&out_dir).unwrap();
    let mut files: Vec<_> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "wit"))
        .collect();
    files.sort();
    out.push_str(&format!("pub const {name}: &[(&str, &str)] = &[\n"));
    for f in files {
        println!("cargo:rerun-if-changed={}", f.display());
        let file_name = f.file_name().unwrap().to_string_lossy().into_owned();
        let text = fs::read_to_string(&f).unwrap_or_else(|e| panic!("read {}: {e}", f.display()));
        let copy = out_dir.join(&file_name);
        fs::write(&copy, without_comment_lines(&text)).unwrap();
        out.push_str(&format!(
            "    ({file_name:?}, include_str!({:?})),\n",
            copy.display().to_string()
        ));
    }
    out.push_str("];\n");
}

fn main() {
    println!("cargo:rerun-if-env-changed=WASIT2_WASIP2_WIT_DEPS");
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let project_wit = manifest_dir.join("..").join("wit");
    println!("cargo:rerun-if-changed={}", project_wit.display());
    let mut out = String::new();
    embed(&wasip2_wit_deps(), &mut out, "WASI_WIT");
    embed(&project_wit, &mut out, "PROJECT_WIT");
    fs::write(
        PathBuf::from(env::var("OUT_DIR").unwrap()).join("embedded_wit.rs"),
        out,
    )
    .unwrap();
}
