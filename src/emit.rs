//! A run's documents (`output::views`) printed once on stdout and written to their files.

use anyhow::Result;
use output::formats::Format;
pub use output::views::{ApplyView, PlanView, RunInfo, View};

use crate::outputs::Outputs;
use crate::print;

/// Makes every document, then prints the stdout one (unless `human_printed`: apply prints its
/// text as it goes) and writes the files; human text in a file carries no styles.
pub fn emit(outputs: Outputs, view: &impl View, human_printed: bool) -> Result<()> {
    let document = |format| view.document(format).map_err(anyhow::Error::from);
    let stdout = match outputs.stdout() {
        Format::Human if human_printed => None,
        format => Some((format, document(format)?)),
    };
    let files = outputs.render(
        |format| {
            let text = document(format)?;
            Ok(match format {
                Format::Human => anstream::adapter::strip_str(&text).to_string(),
                _ => text,
            })
        },
        |format| view.files(format).map_err(anyhow::Error::from),
    )?;
    match stdout {
        Some((Format::Human, text)) => print::text(&text)?,
        Some((_, text)) => print::raw(&text)?,
        None => {}
    }
    Ok(files.write()?)
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
