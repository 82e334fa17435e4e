//! `wasit2 run`.

#[derive(clap::Args)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<i32> {
    anyhow::bail!("`wasit2 run` is not implemented yet")
}
