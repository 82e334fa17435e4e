//! `wasit2 sysroot`.

#[derive(clap::Args)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<i32> {
    anyhow::bail!("`wasit2 sysroot` is not implemented yet")
}
