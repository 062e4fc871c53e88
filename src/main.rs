//! The `pufa` binary: parse arguments, dispatch, turn errors into an exit code.

use std::process::ExitCode;

use pufa::cli::{Cli, Command};

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "pufa=info,warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse_args();
    let result = match cli.command {
        Command::Build { source, output, drafts, clean } => {
            pufa::site::run_build(&source, output.as_deref(), drafts, clean)
        }
        Command::Check { source } => pufa::site::run_check(&source),
        Command::Serve { source, port, bind, database_url, admin_token, no_watch } => {
            let opts = pufa::server::ServeOptions { source, port, bind, database_url, admin_token, watch: !no_watch };
            tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .map_err(anyhow::Error::from)
                .and_then(|rt| rt.block_on(pufa::server::serve(opts)))
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e:#}");
            ExitCode::FAILURE
        }
    }
}
