//! [`Failure`]: why a command failed, and the exit code that says so.

/// A failed command: one line for stderr and the process's exit code.
#[derive(Debug)]
pub(crate) struct Failure {
    /// The exit code (1: the command ran and failed; 2 is clap's, for usage errors).
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
}
