//! Whether two login names are one person.

/// Whether two login names are the same person: equal ignoring case, or
/// equal once a `DOMAIN\` prefix is set aside (when only one has it).
pub fn same_user(a: &str, b: &str) -> bool {
    let (a, b) = (a.to_lowercase(), b.to_lowercase());
    if a == b {
        return true;
    }
    match (a.rsplit_once('\\'), b.rsplit_once('\\')) {
        (Some((_, account)), None) => account == b,
        (None, Some((_, account))) => account == a,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_user_ignores_case_and_domain() {
        assert!(same_user("jsmith", "JSmith"));
        assert!(same_user("ACME\\jsmith", "jsmith"));
        assert!(!same_user("jsmith", "jsmith2"));
        assert!(!same_user("ACME\\jsmith", "OTHER\\jsmith"));
    }
}
