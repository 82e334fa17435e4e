//! `wasit2 componentize`.

#[derive(clap::Args)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<i32> {
    anyhow::bail!("`wasit2 componentize` is not implemented yet")
}
