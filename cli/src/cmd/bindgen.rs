//! `wasit2 bindgen`.

#[derive(clap::Args)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<i32> {
    anyhow::bail!("`wasit2 bindgen` is not implemented yet")
}
