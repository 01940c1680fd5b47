//! `fake-server`: run the fake compute API standalone.

mod cli;

use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = cli::Cli::parse();
    let fake = cli.builder()?.start().await?;
    println!("{}", fake_server::banner::line(&fake.uri(), cli.control()));
    tokio::signal::ctrl_c().await?;
    drop(fake);
    Ok(())
}
