//! A function's environment from a SAM `--env-vars` file (`events/local-env.json`): the
//! `Parameters` block for every function, then the block named by the function's logical id,
//! which wins.

use std::collections::BTreeMap;

use serde_json::Value;

/// The template's logical id of a function crate: `schedule-visit` → `ScheduleVisitFunction`.
pub fn logical_id(function: &str) -> String {
    let words: String = function
        .split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map(|first| first.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect();
    format!("{words}Function")
}

/// The variables the env-vars file sets for `logical_id`.
pub fn from_env_file(file: &Value, logical_id: &str) -> BTreeMap<String, String> {
    let mut env = BTreeMap::new();
    for block in [&file["Parameters"], &file[logical_id]] {
        for (name, value) in block.as_object().into_iter().flatten() {
            let value = value.as_str().map_or_else(|| value.to_string(), str::to_owned);
            env.insert(name.clone(), value);
        }
    }
    env
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn logical_ids_follow_the_template_naming() {
        assert_eq!(logical_id("schedule-visit"), "ScheduleVisitFunction");
        assert_eq!(logical_id("connect-flow"), "ConnectFlowFunction");
    }

    #[test]
    fn the_function_block_wins_over_parameters() {
        let file = json!({"Parameters": {"A": "1", "B": "2"}, "FooFunction": {"B": "3"}, "BarFunction": {"C": "4"}});
        let env = from_env_file(&file, "FooFunction");
        assert_eq!(env, BTreeMap::from([("A".into(), "1".into()), ("B".into(), "3".into())]));
    }
}
