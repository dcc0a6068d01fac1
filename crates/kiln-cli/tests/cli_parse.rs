//! The command line parsed in-process through the library's `Cli` type (what the fuzz target
//! `cli_args` drives): valid lines parse, invalid ones are clap errors, never panics.

use kiln_cli::{Cli, Command, Parser};

#[test]
fn valid_command_lines_parse_into_their_commands() {
    let cli = Cli::try_parse_from([
        "kiln",
        "train",
        "d.csv",
        "--target",
        "y",
        "--model",
        "gbdt",
        "--set",
        "max_depth=3",
        "--out",
        "m.kiln",
    ]);
    assert!(
        matches!(
            cli,
            Ok(Cli {
                command: Command::Train(_)
            })
        ),
        "{cli:?}"
    );
    let cli = Cli::try_parse_from(["kiln", "drift", "a.csv", "b.csv", "--fail-on-drift"]);
    assert!(
        matches!(
            cli,
            Ok(Cli {
                command: Command::Drift(_)
            })
        ),
        "{cli:?}"
    );
    // A negative goal is a value, not an option.
    let cli = Cli::try_parse_from([
        "kiln", "train", "d.csv", "--target", "y", "--metric", "r2", "--goal", "-0.5", "--out",
        "m.kiln",
    ]);
    assert!(cli.is_ok(), "{cli:?}");
}

#[test]
fn invalid_command_lines_are_usage_errors() {
    for args in [
        vec!["kiln"],
        vec!["kiln", "train"],
        vec!["kiln", "train", "d.csv", "--out"],
        vec![
            "kiln", "compare", "d.csv", "--cv", "many", "--models", "a,b",
        ],
        vec!["kiln", "serve", "m.kiln", "--max-rows", "-1"],
        vec!["kiln", "\u{0}\u{ffff}"],
    ] {
        let e = Cli::try_parse_from(&args).unwrap_err();
        assert!(e.use_stderr(), "{args:?}: {e}");
    }
}
