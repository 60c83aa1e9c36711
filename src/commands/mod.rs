//! One module per command; each returns the command's [`output::exit::Exit`]. A module named
//! like a workspace crate takes `_cmd` (`apply_cmd`, `backtest_cmd`, `config_cmd`,
//! `pattern_cmd`, `plan_cmd`), so `plan::` or `apply::` always means the crate.

pub mod accounts;
pub mod apply_cmd;
pub mod backtest_cmd;
pub mod config_cmd;
pub mod controls;
pub mod drill;
pub mod hub;
pub mod pattern_cmd;
pub mod plan_cmd;
