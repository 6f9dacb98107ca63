//! `leaktrace sessions` (being written).
use crate::cli::{GlobalArgs, SessionsArgs};
use crate::exit::Exit;
pub fn run(_args: &SessionsArgs, _global: &GlobalArgs) -> anyhow::Result<Exit> {
    anyhow::bail!("sessions: not built yet")
}
