use crate::OutputFormat;

#[derive(clap::Args, Debug)]
pub struct SimulateArgs {}

pub fn run(_args: SimulateArgs, _output: OutputFormat) -> anyhow::Result<()> {
    anyhow::bail!("`oamm simulate` is being written (issue 6)")
}
