//! The binary's unit tests; its behaviour is tested end to end (`tests/e2e`).

use clap::CommandFactory;

use crate::Cli;

#[test]
fn the_command_line_definition_is_consistent() {
    Cli::command().debug_assert();
}
