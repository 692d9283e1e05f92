//! Stdout to /dev/null for the length of a scope (see `demo::run` for why).
use std::io::Write;

pub struct SilencedStdout {
    #[cfg(unix)]
    saved: Option<libc::c_int>,
}

impl SilencedStdout {
    /// Best effort: if any step fails, stdout is left as it was (the only
    /// cost is log noise, not a wrong result).
    pub fn new() -> SilencedStdout {
        let _ = std::io::stdout().flush();
        #[cfg(unix)]
        {
            // SAFETY: plain descriptor calls on descriptors this function
            // owns; every failure path closes what it opened.
            unsafe {
                let saved = libc::dup(libc::STDOUT_FILENO);
                if saved < 0 {
                    return SilencedStdout { saved: None };
                }
                let null = libc::open(c"/dev/null".as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
                if null < 0 {
                    libc::close(saved);
                    return SilencedStdout { saved: None };
                }
                let ok = libc::dup2(null, libc::STDOUT_FILENO) >= 0;
                libc::close(null);
                if !ok {
                    libc::close(saved);
                    return SilencedStdout { saved: None };
                }
                SilencedStdout { saved: Some(saved) }
            }
        }
        #[cfg(not(unix))]
        SilencedStdout {}
    }
}

impl Drop for SilencedStdout {
    fn drop(&mut self) {
        // whatever the run buffered belongs to /dev/null, not to the report
        let _ = std::io::stdout().flush();
        #[cfg(unix)]
        if let Some(saved) = self.saved.take() {
            // SAFETY: `saved` is the descriptor dup'ed in `new`, still open.
            unsafe {
                libc::dup2(saved, libc::STDOUT_FILENO);
                libc::close(saved);
            }
        }
    }
}
