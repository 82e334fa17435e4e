//! `wasit2 install`.

#[derive(clap::Args)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<i32> {
    anyhow::bail!("`wasit2 install` is not implemented yet")
}
