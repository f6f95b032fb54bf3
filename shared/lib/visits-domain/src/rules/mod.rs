//! Policy figures and who may do what.

mod access;
mod policy;

pub use access::{Relation, may_manage, may_schedule_for, may_view, relation};
pub use policy::{JoinWindow, Policy};
