//! Where each document of a run goes (`place`): stdout at most once, the code of many accounts
//! to folders, and what is refused before anything is read.

use crate::formats::{emit_spec, Format, OutputSpec};
use crate::place::{place, PlaceError, Placement};

fn specs(list: &[&str]) -> Vec<OutputSpec> {
    list.iter()
        .map(|s| s.parse().or_else(|_| emit_spec(s)).unwrap())
        .collect()
}

#[test]
fn code_of_many_accounts_goes_to_folders_and_other_documents_to_files() {
    let placed = place(&specs(&["sarif=a.sarif", "terraform=code"]), false, true).unwrap();
    assert_eq!(placed.stdout, Format::Human);
    assert_eq!(
        placed.files,
        vec![
            Placement {
                format: Format::Sarif,
                path: "a.sarif".into(),
                folder: false
            },
            Placement {
                format: Format::Terraform,
                path: "code".into(),
                folder: true
            },
        ]
    );
    let one = place(&specs(&["terraform=code"]), false, false).unwrap();
    assert!(!one.files[0].folder, "one account's code is a file");
}

#[test]
fn code_of_many_accounts_on_stdout_and_a_stack_set_of_many_are_refused() {
    assert_eq!(
        place(&specs(&["cloudformation"]), false, true),
        Err(PlaceError::NeedsFolder(Format::CloudFormation))
    );
    let error = place(&specs(&["cloudformation-stackset=s.yaml"]), false, true).unwrap_err();
    assert_eq!(error, PlaceError::StackSetOfMany);
    assert!(error
        .to_string()
        .starts_with("--emit cloudformation-stackset writes one template for every account"));
    assert_eq!(
        place(&specs(&["cloudformation-stackset"]), false, false)
            .unwrap()
            .stdout,
        Format::CloudFormationStackSet
    );
}

#[test]
fn two_documents_on_stdout_are_refused_by_name() {
    let error = place(&specs(&["sarif", "terraform"]), true, false).unwrap_err();
    assert_eq!(
        error.to_string(),
        "sarif and terraform and json would all go to stdout; write all but one to a file with --output FORMAT=PATH"
    );
    let error = place(&specs(&["sarif"]), true, false).unwrap_err();
    assert_eq!(
        error.to_string(),
        "sarif and json would both go to stdout; write one of them to a file with --output FORMAT=PATH"
    );
}
