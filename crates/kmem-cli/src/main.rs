//! The `kmem` command.
//!
//! Exit codes: 0 success, 1 a script error (diagnostics on stderr), 2 a
//! usage error.

use kmem_script::{check, LineIndex};
use std::io::Read;
use std::process::ExitCode;

const USAGE: &str = "\
kmem: the kmem playground on the command line

Usage:
  kmem check FILE|-    check a playground script and print its diagnostics
  kmem help            print this help
  kmem --version       print the version

Exit codes: 0 success, 1 script error, 2 usage error.";

/// A parsed command line.
#[derive(Debug, PartialEq, Eq)]
enum Command {
    Check { path: String },
    Help,
    Version,
}

fn parse_args(args: &[String]) -> Result<Command, String> {
    match args {
        [] => Err("no command given".into()),
        [cmd] if cmd == "help" || cmd == "--help" || cmd == "-h" => Ok(Command::Help),
        [cmd] if cmd == "--version" || cmd == "-V" => Ok(Command::Version),
        [cmd, path] if cmd == "check" => Ok(Command::Check { path: path.clone() }),
        [cmd, ..] if cmd == "check" => {
            Err("`check` takes exactly one FILE (or - for stdin)".into())
        }
        [cmd, ..] => Err(format!("unknown command `{cmd}`")),
    }
}

fn read_source(path: &str) -> Result<String, String> {
    if path == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        Ok(text)
    } else {
        std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))
    }
}

fn run_check(path: &str) -> ExitCode {
    let source = match read_source(path) {
        Ok(source) => source,
        Err(message) => {
            eprintln!("kmem: {message}");
            return ExitCode::from(2);
        }
    };
    let diagnostics = check(&source);
    if diagnostics.is_empty() {
        println!("{path}: no errors");
        return ExitCode::SUCCESS;
    }
    let index = LineIndex::new(&source);
    for diagnostic in &diagnostics {
        eprintln!("{}\n", diagnostic.render(&source, &index));
    }
    let count = diagnostics.len();
    eprintln!("{path}: {count} error{}", if count == 1 { "" } else { "s" });
    ExitCode::from(1)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match parse_args(&args) {
        Ok(Command::Help) => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Ok(Command::Version) => {
            println!("kmem {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Ok(Command::Check { path }) => run_check(&path),
        Err(message) => {
            eprintln!("kmem: {message}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parses_commands() {
        assert_eq!(parse_args(&args(&["help"])), Ok(Command::Help));
        assert_eq!(parse_args(&args(&["--version"])), Ok(Command::Version));
        assert_eq!(
            parse_args(&args(&["check", "a.kmem"])),
            Ok(Command::Check {
                path: "a.kmem".into()
            })
        );
        assert!(parse_args(&args(&[])).is_err());
        assert!(parse_args(&args(&["check"])).is_err());
        assert_eq!(
            parse_args(&args(&["frobnicate"])),
            Err("unknown command `frobnicate`".into())
        );
    }
}
