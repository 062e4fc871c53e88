//! The `pufa` binary: parse arguments, dispatch, turn errors into an exit code.

use std::process::ExitCode;

use pufa::cli::{Cli, Command, DbCommand};

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
        Command::Db { what } => db(what),
        Command::Migrate { db: d } => {
            former("migrate", &d.source);
            db(DbCommand::Migrate { db: d })
        }
        Command::Export { export } => {
            former("export", &export.db.source);
            db(DbCommand::Export { export })
        }
        Command::Import { what: Some(what), .. } => pufa::commands::import::run(what),
        Command::Import { what: None, file, db: d } => {
            let file = file.unwrap_or_default();
            former("import", &d.source);
            db(DbCommand::Import { file, db: d })
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

/// `pufa db …`.
fn db(what: DbCommand) -> anyhow::Result<()> {
    let rt = runtime()?;
    match what {
        DbCommand::Migrate { db } => {
            rt.block_on(pufa::commands::db::migrate(&db.url(), pufa::commands::lang(&db.source)))
        }
        DbCommand::Export { export: e } => {
            let lang = pufa::commands::lang(&e.db.source);
            rt.block_on(pufa::commands::db::export(&e.db.url(), &e.competitions, &e.output, lang))
        }
        DbCommand::Import { file, db } => {
            rt.block_on(pufa::commands::db::import(&db.url(), &file, pufa::commands::lang(&db.source)))
        }
    }
}

/// The note a former spelling (`pufa migrate`, `pufa export`, `pufa import FILE`) prints before doing its work.
fn former(command: &str, source: &std::path::Path) {
    let lang = pufa::commands::lang(source);
    eprintln!("{}", pufa::i18n::fill(pufa::i18n::t(lang, "ops.former_spelling"), &[("command", command)]));
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().enable_all().build()?)
}
