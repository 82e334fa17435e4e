// The wasit2 command's build script, shared: the git commit for `--version`.
#[path = "../cli/build.rs"]
mod git_commit;

fn main() {
    git_commit::main();
    println!("cargo:rerun-if-changed=../cli/build.rs");
}
