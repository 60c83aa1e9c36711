//! `trailwatch controls`: the controls of a benchmark version and trailwatch's own, as a table
//! or JSON.

use anyhow::Result;
use output::documents::ControlsDocument;
use output::exit::Exit;

use crate::print;

/// Lists the controls of `benchmark`.
pub fn run(benchmark: &str, json: bool) -> Result<Exit> {
    let controls = model::catalog::all(benchmark)?;
    if json {
        print::json(&ControlsDocument::new(benchmark, &controls))?;
    } else {
        print::text(&output::render::catalog(benchmark, &controls))?;
    }
    Ok(Exit::Clean)
}
