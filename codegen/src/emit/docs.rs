use super::Output;
use crate::ir::Spec;
pub fn emit(_spec: &Spec) -> Result<Vec<Output>, String> { Ok(vec![]) }
