//! A run's documents (`output::views`) printed once on stdout and written to their files.

use anyhow::Result;
use output::formats::Format;
pub use output::views::{ApplyView, PlanView, RunInfo};

use crate::outputs::Outputs;
use crate::print;

/// Prints the stdout document (unless `human_printed`: apply prints its text as it goes) and
/// writes the files; human text in a file carries no styles.
pub fn emit<E: Into<anyhow::Error>>(
    outputs: Outputs,
    document: impl Fn(Format) -> Result<String, E>,
    human_printed: bool,
) -> Result<()> {
    let document = |format| document(format).map_err(Into::into);
    match outputs.stdout() {
        Format::Human if human_printed => {}
        Format::Human => print::text(&document(Format::Human)?)?,
        other => print::raw(&document(other)?)?,
    }
    outputs.write_files(|format| {
        let text = document(format)?;
        Ok(match format {
            Format::Human => anstream::adapter::strip_str(&text).to_string(),
            _ => text,
        })
    })
}

/// The plan before anything is written: on stdout when that is where the human text goes,
/// else on stderr when someone is about to be asked (`asking`) and must see what they approve.
pub fn show_before_writing(outputs: &Outputs, text: &str, asking: bool) -> Result<()> {
    if outputs.stdout() == Format::Human {
        print::text(text)?;
    } else if asking {
        let _ = std::io::Write::write_all(&mut anstream::stderr(), text.as_bytes());
    }
    Ok(())
}
