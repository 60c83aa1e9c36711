//! One module per command; each returns the command's [`output::exit::Exit`].

pub mod accounts;
pub mod apply;
pub mod apply_accounts;
pub mod backtest_cmd;
pub mod config;
pub mod controls;
pub mod drill;
pub mod hub;
pub mod pattern;
pub mod plan;
