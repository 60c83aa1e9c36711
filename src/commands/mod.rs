//! One module per command; each returns the command's [`output::exit::Exit`]. A module named
//! like a workspace crate takes `_cmd` (`backtest_cmd`, `config_cmd`, `pattern_cmd`), so
//! `backtest::` always means the crate; `plan` and `apply` are still to be renamed
//! (docs/ARCHITECTURE.md, issue [13]).

pub mod accounts;
pub mod apply;
pub mod backtest_cmd;
pub mod config_cmd;
pub mod controls;
pub mod drill;
pub mod hub;
pub mod pattern_cmd;
pub mod plan;
