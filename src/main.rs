//! The `pufa` binary: parse arguments, dispatch, turn errors into an exit code.

use std::process::ExitCode;

use pufa::cli::{Cli, Command};

/// mimalloc: the server allocates many small short-lived buffers per request (JSON, headers), which glibc's
/// allocator serves with more locking and consolidation work; the site build's parallel rendering gains too.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "pufa=info,warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse_args();
    let result = match cli.command {
        Command::Build { source, output, drafts, future, clean } => {
            pufa::commands::build::run_build(&source, output.as_deref(), drafts, future, clean)
        }
        Command::Check { source } => pufa::commands::build::run_check(&source),
        Command::Serve { source, port, bind, database_url, admin_token, no_migrate, no_watch, no_build } => {
            let opts = pufa::commands::serve::ServeOptions {
                source,
                port,
                bind,
                database_url,
                admin_token,
                migrate: !no_migrate,
                watch: !no_watch && !no_build,
                build: !no_build,
            };
            runtime().and_then(|rt| rt.block_on(pufa::commands::serve::serve(opts)))
        }
        Command::Migrate { db } => {
            let lang = pufa::commands::lang(&db.source);
            runtime().and_then(|rt| rt.block_on(pufa::commands::db::migrate(&db.url(), lang)))
        }
        Command::Export { db, competitions, output } => {
            let lang = pufa::commands::lang(&db.source);
            runtime().and_then(|rt| rt.block_on(pufa::commands::db::export(&db.url(), &competitions, &output, lang)))
        }
        Command::Import { what: Some(what), .. } => pufa::commands::import::run(what),
        Command::Import { what: None, file, db } => {
            let lang = pufa::commands::lang(&db.source);
            let file = file.unwrap_or_default();
            runtime().and_then(|rt| rt.block_on(pufa::commands::db::import(&db.url(), &file, lang)))
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

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().enable_all().build()?)
}
