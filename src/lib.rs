//! pufa (普法): a law-promotion site generator and a legal-knowledge competition server in one crate.
//!
//! The pure cores (`content`, `quiz`) read files into models and never import the shells
//! (`site`, `store`, `server`), which render, persist and serve those models; `commands` runs them for the binary.

pub mod cli;
pub mod commands;
pub mod content;
pub mod diag;
pub mod i18n;
pub mod localize;
pub mod quiz;
pub mod server;
pub mod site;
pub mod store;
