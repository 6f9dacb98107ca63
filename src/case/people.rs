//! The people the findings point at: each login that made a cited request,
//! named from the roster (else from a statement its login fits), with every
//! download the logs attribute to it and the addresses it used.

use super::evidence::Evidence;
use super::roster;
use super::{Finding, MAX_LISTED, Person};
use crate::analyze::downloads::Download;
use crate::analyze::same_user;

/// The people the findings point at: every login that made a cited request.
pub fn people(findings: &[Finding], ev: &Evidence<'_>) -> Vec<Person> {
    let mut people: Vec<Person> = Vec::new();
    for (i, f) in findings.iter().enumerate() {
        let Some(login) = &f.login else {
            continue;
        };
        if let Some(p) = people.iter_mut().find(|p| same_user(&p.login, login)) {
            p.findings.push(i);
            continue;
        }
        let employee = ev.roster.and_then(|r| r.by_login(login));
        let statement_name = findings
            .iter()
            .filter(|g| g.login.as_deref().is_some_and(|l| same_user(l, login)))
            .filter_map(|g| g.lead.statement.as_ref()?.name.clone())
            .find(|n| roster::heuristic_fit(login, n).is_some());
        let (name, name_source) = match (employee.and_then(|e| e.name.clone()), statement_name) {
            (Some(n), _) => (Some(n), Some("roster")),
            (None, Some(n)) => (Some(n), Some("statement")),
            (None, None) => (None, None),
        };
        let mut downloads: Vec<Download> = Vec::new();
        let mut more = 0u64;
        let mut ips: Vec<String> = Vec::new();
        for d in ev.downloads_of(login) {
            if let Some(ip) = &d.record.client_ip
                && !ips.contains(ip)
            {
                ips.push(ip.clone());
            }
            if downloads.len() < MAX_LISTED {
                downloads.push(d.clone());
            } else {
                more += 1;
            }
        }
        people.push(Person {
            login: login.clone(),
            name,
            employee_id: employee.and_then(|e| e.id),
            name_source,
            findings: vec![i],
            downloads,
            more_downloads: more,
            client_ips: ips,
        });
    }
    people
}
