//! `leaktrace downloads` (being written).
use crate::cli::{DownloadsArgs, GlobalArgs};
use crate::exit::Exit;
pub fn run(_args: &DownloadsArgs, _global: &GlobalArgs) -> anyhow::Result<Exit> {
    anyhow::bail!("downloads: not built yet")
}
