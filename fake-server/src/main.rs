//! `fake-server`: run the fake compute API standalone.

mod cli;

use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = cli::Cli::parse();
    let fake = cli.builder()?.start().await?;
    let base = fake.uri();
    let control = if cli.control() {
        format!(" control={base}/_fake/")
    } else {
        String::new()
    };
    println!(
        "fake-server listening on {base} identity={base}/identity/v3 compute={base}/compute/v2.1 ecs={base}/v1/{{project_id}}/cloudservers{control}"
    );
    tokio::signal::ctrl_c().await?;
    drop(fake);
    Ok(())
}
