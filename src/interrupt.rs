//! Ctrl-C and SIGTERM while apply writes, as Terraform takes them: the first lets the calls in
//! flight finish and starts no new one (the run then reports what was and was not done, and
//! exits 130); a second stops at once.

/// From now on, the first interrupt asks every write to stop and the second ends the process.
pub fn stop_on_signal() {
    tokio::spawn(async {
        if !interrupted().await {
            return;
        }
        aws::request_stop();
        crate::print::note("Interrupt received: letting the calls in flight finish; no new call starts. Interrupt again to stop at once.");
        if interrupted().await {
            crate::print::note("Stopped at once; run apply again: it converges.");
            std::process::exit(i32::from(output::exit::Exit::Interrupted.code()));
        }
    });
}

/// Waits for SIGINT or SIGTERM; false when they cannot be listened for.
async fn interrupted() -> bool {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let (Ok(mut int), Ok(mut term)) = (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) else {
            return false;
        };
        tokio::select! {
            _ = int.recv() => true,
            _ = term.recv() => true,
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await.is_ok()
    }
}
