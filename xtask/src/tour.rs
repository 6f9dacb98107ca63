//! The README's tour (the `## A tour` section of README.md, its `###`
//! subsections included): every command in its `sh` code blocks, with the
//! comment written above it. The man pages take their EXAMPLES from here and
//! `tests/cli/readme.rs` runs these commands (it includes this file), so the
//! README, the man pages and what the binary does are held to one text.

/// One command of the tour, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    /// The comment lines right above the command, without their `# `.
    pub comment: Vec<String>,
    /// The command's lines as written (all but the last end with `\`).
    pub lines: Vec<String>,
    /// Which code block of the tour holds it: 0 is the overview at the top.
    pub block: usize,
}

impl Example {
    /// The command on one line, its continuation lines joined with a space.
    pub fn command(&self) -> String {
        let parts: Vec<&str> = self
            .lines
            .iter()
            .map(|line| {
                let line = line.trim();
                line.strip_suffix('\\').map_or(line, str::trim_end)
            })
            .collect();
        parts.join(" ")
    }

    /// The comment as one paragraph.
    pub fn description(&self) -> String {
        self.comment.join(" ")
    }

    /// The subcommand the command runs: the first word after `leaktrace`
    /// that is one of `names` (global options may come before it).
    pub fn subcommand<'a>(&self, names: &[&'a str]) -> Option<&'a str> {
        let command = self.command();
        let mut after = command
            .split_whitespace()
            .skip_while(|word| *word != "leaktrace")
            .skip(1);
        after.find_map(|word| names.iter().find(|name| **name == word).copied())
    }
}

/// Every command of the tour, in README order. A command must run
/// `leaktrace` (a tour of something else is a mistake in the README).
pub fn tour(readme: &str) -> Result<Vec<Example>, String> {
    let mut lines = readme
        .lines()
        .skip_while(|line| line.trim_end() != "## A tour");
    if lines.next().is_none() {
        return Err("README.md has no `## A tour` section".into());
    }
    let mut examples = Vec::new();
    let mut blocks = 0;
    // Inside a fence: whether it is a `sh` block (commands) or another kind.
    let mut fence: Option<bool> = None;
    let mut comment: Vec<String> = Vec::new();
    let mut command: Vec<String> = Vec::new();
    for line in lines {
        let Some(is_sh) = fence else {
            if line.starts_with("## ") {
                break;
            }
            if let Some(info) = line.trim_start().strip_prefix("```") {
                fence = Some(info.trim() == "sh");
            }
            continue;
        };
        if line.trim_start().starts_with("```") {
            if !command.is_empty() {
                return Err(format!(
                    "the tour's command `{}` ends with `\\` at the end of its block",
                    command.join(" ")
                ));
            }
            if is_sh {
                blocks += 1;
            }
            fence = None;
            comment.clear();
            continue;
        }
        if !is_sh {
            continue;
        }
        let trimmed = line.trim();
        if command.is_empty() {
            if trimmed.is_empty() {
                comment.clear();
                continue;
            }
            if let Some(text) = trimmed.strip_prefix('#') {
                comment.push(text.trim().to_owned());
                continue;
            }
        }
        command.push(line.trim_end().to_owned());
        if trimmed.ends_with('\\') {
            continue;
        }
        let example = Example {
            comment: std::mem::take(&mut comment),
            lines: std::mem::take(&mut command),
            block: blocks,
        };
        if !example
            .command()
            .split_whitespace()
            .any(|word| word == "leaktrace")
        {
            return Err(format!(
                "the tour's command `{}` does not run leaktrace",
                example.command()
            ));
        }
        examples.push(example);
    }
    if fence.is_some() {
        return Err("the tour ends inside a code block".into());
    }
    if examples.is_empty() {
        return Err("the tour has no commands".into());
    }
    Ok(examples)
}

#[cfg(test)]
mod tests {
    use super::*;

    const README: &str = "\
# x

## A tour

```sh
# first line of a comment
# and its second
leaktrace --tz UTC logs a.log --user x

leaktrace logs b.log \\
  --fields \"date time\"
```

```text
not a command
```

### `leaktrace examine <FILE>...`

```sh
# a pipe
cat a | leaktrace examine - > out.csv
```

## After the tour

```sh
leaktrace logs ignored.log
```
";

    #[test]
    fn reads_commands_comments_and_continuations() {
        let examples = tour(README).unwrap();
        let commands: Vec<String> = examples.iter().map(Example::command).collect();
        assert_eq!(
            commands,
            [
                "leaktrace --tz UTC logs a.log --user x",
                "leaktrace logs b.log --fields \"date time\"",
                "cat a | leaktrace examine - > out.csv",
            ]
        );
        assert_eq!(
            examples[0].description(),
            "first line of a comment and its second"
        );
        assert!(
            examples[1].comment.is_empty(),
            "a blank line ends a comment"
        );
        assert_eq!(examples[1].lines.len(), 2);
        let blocks: Vec<usize> = examples.iter().map(|e| e.block).collect();
        assert_eq!(blocks, [0, 0, 1]);
        let names = ["logs", "examine"];
        assert_eq!(examples[0].subcommand(&names), Some("logs"));
        assert_eq!(examples[2].subcommand(&names), Some("examine"));
    }

    #[test]
    fn refuses_a_tour_that_is_not_of_leaktrace() {
        let readme = "## A tour\n\n```sh\nls -l\n```\n";
        assert!(tour(readme).unwrap_err().contains("does not run leaktrace"));
        assert!(tour("# no tour\n").is_err());
        assert!(tour("## A tour\n\n```sh\nleaktrace logs \\\n```\n").is_err());
    }
}
