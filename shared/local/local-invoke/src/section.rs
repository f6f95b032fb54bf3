//! Measured tables live in the docs between `<!-- NAME:begin -->` and `<!-- NAME:end -->`
//! markers; a measurement replaces what is between them and leaves the prose alone.

/// Replaces the marked section `name` of the file at `path` with `content`.
pub fn replace(path: &str, name: &str, content: &str) -> Result<(), String> {
    let (begin, end) = (format!("<!-- {name}:begin -->\n"), format!("<!-- {name}:end -->"));
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let (Some(start), Some(stop)) = (text.find(&begin), text.find(&end)) else {
        return Err(format!("{path} has no {name} markers"));
    };
    if stop < start {
        return Err(format!("{path}: the {name} markers are out of order"));
    }
    let updated = format!("{}{begin}{content}{}", &text[..start], &text[stop..]);
    std::fs::write(path, updated).map_err(|e| format!("{path}: {e}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_the_marked_section_changes() {
        let path = std::env::temp_dir().join(format!("section-{}.md", std::process::id()));
        let path = path.to_str().unwrap();
        std::fs::write(path, "intro\n<!-- t:begin -->\nold\n<!-- t:end -->\noutro\n").unwrap();
        super::replace(path, "t", "new\n").unwrap();
        assert_eq!(std::fs::read_to_string(path).unwrap(), "intro\n<!-- t:begin -->\nnew\n<!-- t:end -->\noutro\n");
        assert!(super::replace(path, "missing", "x").is_err());
        std::fs::remove_file(path).unwrap();
    }
}
