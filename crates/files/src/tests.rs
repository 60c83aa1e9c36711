//! Inputs read whole: regular files within the limit are read; FIFOs, devices, directories,
//! files above the limit and non-text are refused in one line naming the file.

use super::*;

const SMALL: Whole = Whole {
    what: "plan file",
    limit: 16,
};

#[test]
fn a_regular_file_within_the_limit_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.json");
    std::fs::write(&path, "{\"format\": 1}").unwrap();
    assert_eq!(read_whole(&path, SMALL).unwrap(), "{\"format\": 1}");
}

#[test]
fn a_file_above_the_limit_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.json");
    std::fs::write(&path, "x".repeat(17)).unwrap();
    let error = read_whole(&path, SMALL).unwrap_err();
    assert!(matches!(error, ReadError::TooLarge { .. }), "{error}");
    assert!(error.to_string().contains("plan.json"), "{error}");
}

#[cfg(unix)]
#[test]
fn a_fifo_and_a_device_are_refused_without_waiting() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("plan.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let error = read_whole(&fifo, SMALL).unwrap_err();
    assert!(error.to_string().contains("a FIFO"), "{error}");
    let error = read_whole(Path::new("/dev/zero"), SMALL).unwrap_err();
    assert!(error.to_string().contains("a device"), "{error}");
}

#[cfg(unix)]
#[test]
fn dev_null_is_the_empty_file() {
    assert_eq!(read_whole(Path::new("/dev/null"), SMALL).unwrap(), "");
}

#[test]
fn a_directory_and_a_missing_file_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let error = read_whole(dir.path(), SMALL).unwrap_err();
    assert!(error.to_string().contains("a directory"), "{error}");
    let error = read_whole(&dir.path().join("none.json"), SMALL).unwrap_err();
    assert!(
        error.to_string().starts_with("cannot read the plan file"),
        "{error}"
    );
}

#[test]
fn bytes_that_are_not_utf8_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.json");
    std::fs::write(&path, [0xff, 0xfe, 0x00]).unwrap();
    let error = read_whole(&path, SMALL).unwrap_err();
    assert!(matches!(error, ReadError::NotText { .. }), "{error}");
}
