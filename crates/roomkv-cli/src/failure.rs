//! [`Failure`]: why a command failed, and the exit code that says so.

/// A failed command: one line for stderr and the process's exit code.
#[derive(Debug)]
pub(crate) struct Failure {
    /// The exit code (1: the command ran and failed; 2: usage errors, clap's, and requests
    /// refused before anything was sent).
    pub(crate) exit_code: u8,
    /// What went wrong, one line, without the `roomkv: ` prefix.
    pub(crate) message: String,
}

impl Failure {
    /// A failure at run time (bind, runtime, signal setup, ...): exit code 1.
    pub(crate) fn runtime(message: impl Into<String>) -> Self {
        Self {
            exit_code: 1,
            message: message.into(),
        }
    }

    /// A request refused before anything was sent (a broken limit, a bad argument, missing
    /// credentials): exit code 2, like a usage error.
    pub(crate) fn refused(message: impl Into<String>) -> Self {
        Self {
            exit_code: 2,
            message: message.into(),
        }
    }
}
