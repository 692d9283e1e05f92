use crate::OutputFormat;

#[derive(clap::Args, Debug)]
pub struct PriceArgs {}

pub fn run(_args: PriceArgs, _output: OutputFormat) -> anyhow::Result<()> {
    anyhow::bail!("`oamm price` is being written (issue 2)")
}
