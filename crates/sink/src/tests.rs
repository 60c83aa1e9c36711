//! Destinations of every kind a user can name: new and existing files (their mode and owner),
//! read-only files, symbolic links, character devices (a null and a full one), FIFOs, and the
//! paths refused before anything is written.

use std::fs;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{identity, Destination, Error, Folder, Target};

fn dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary directory")
}

fn write(path: &Path, text: &str) -> Result<(), Error> {
    Destination::open(path)?.write(text)
}

/// The names in `dir` (a temporary file left behind would show here).
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

#[test]
fn a_new_file_is_written_readable_by_all_and_nothing_else_is_left() {
    let dir = dir();
    let path = dir.path().join("plan.sarif");
    write(&path, "document\n").unwrap();
    assert_eq!(fs::read_to_string(&path).unwrap(), "document\n");
    assert_eq!(mode(&path) & 0o444, 0o444);
    assert_eq!(names(dir.path()), ["plan.sarif"]);
}

#[test]
fn an_existing_file_is_replaced_whole_and_keeps_its_mode_and_owner() {
    let dir = dir();
    let path = dir.path().join("report.csv");
    fs::write(&path, "old ".repeat(1000)).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
    // Tests run as root in CI: give the file another owner when allowed to.
    let other = std::os::unix::fs::chown(&path, Some(4321), Some(8765)).is_ok();
    write(&path, "new\n").unwrap();
    assert_eq!(fs::read_to_string(&path).unwrap(), "new\n");
    assert_eq!(mode(&path), 0o640);
    if other {
        let meta = fs::metadata(&path).unwrap();
        assert_eq!((meta.uid(), meta.gid()), (4321, 8765));
    }
    assert_eq!(names(dir.path()), ["report.csv"]);
}

#[test]
fn a_read_only_file_is_refused_before_anything_is_written() {
    let dir = dir();
    let path = dir.path().join("frozen.xml");
    fs::write(&path, "keep me").unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o444)).unwrap();
    let error = Destination::open(&path).unwrap_err();
    assert!(matches!(error, Error::ReadOnly { .. }), "{error:?}");
    let text = error.to_string();
    assert!(text.ends_with("is read-only; make it writable (`chmod u+w`) or choose another path"));
    assert_eq!(fs::read_to_string(&path).unwrap(), "keep me");
    assert_eq!(names(dir.path()), ["frozen.xml"]);
}

#[test]
fn a_symbolic_link_is_written_through_and_stays_a_link() {
    let dir = dir();
    fs::create_dir(dir.path().join("reports")).unwrap();
    let target = dir.path().join("reports/latest.md");
    fs::write(&target, "old").unwrap();
    fs::set_permissions(&target, fs::Permissions::from_mode(0o600)).unwrap();
    let link = dir.path().join("summary.md");
    std::os::unix::fs::symlink("reports/latest.md", &link).unwrap();
    let chain = dir.path().join("chain.md");
    std::os::unix::fs::symlink(&link, &chain).unwrap();
    write(&chain, "new\n").unwrap();
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(fs::symlink_metadata(&chain)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(fs::read_to_string(&target).unwrap(), "new\n");
    assert_eq!(mode(&target), 0o600);
    assert_eq!(names(&dir.path().join("reports")), ["latest.md"]);
}

#[test]
fn a_link_to_a_file_not_yet_there_creates_it() {
    let dir = dir();
    let link = dir.path().join("out.json");
    std::os::unix::fs::symlink("made.json", &link).unwrap();
    write(&link, "{}\n").unwrap();
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(
        fs::read_to_string(dir.path().join("made.json")).unwrap(),
        "{}\n"
    );
}

#[test]
fn links_in_a_loop_are_refused() {
    let dir = dir();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    std::os::unix::fs::symlink(&b, &a).unwrap();
    std::os::unix::fs::symlink(&a, &b).unwrap();
    let error = Destination::open(&a).unwrap_err();
    assert!(!error.to_string().contains('\n'), "{error}");
    assert!(fs::symlink_metadata(&a).unwrap().file_type().is_symlink());
}

/// A character device like `/dev/null` (1, 3) or `/dev/full` (1, 7), made in `dir` when this
/// user may (root), else the system's own, which only root could have replaced.
fn device(dir: &Path, name: &str, minor: &str) -> PathBuf {
    let path = dir.join(name);
    let made = Command::new("mknod")
        .arg(&path)
        .args(["c", "1", minor])
        .status()
        .is_ok_and(|s| s.success());
    match made {
        true => path,
        false => Path::new("/dev").join(name),
    }
}

#[test]
fn a_character_device_is_written_in_place() {
    let dir = dir();
    let null = device(dir.path(), "null", "3");
    write(&null, "discarded\n").unwrap();
    assert!(fs::metadata(&null).unwrap().file_type().is_char_device());
    assert!(names(dir.path()).iter().all(|n| !n.starts_with('.')));
}

#[test]
fn a_full_device_is_an_error_of_one_line() {
    let dir = dir();
    let full = device(dir.path(), "full", "7");
    let error = write(&full, "document\n").unwrap_err();
    let text = error.to_string();
    assert!(text.starts_with("cannot write `"), "{text}");
    assert!(text.contains("No space left on device"), "{text}");
    assert!(!text.contains('\n'), "{text}");
    assert!(fs::metadata(&full).unwrap().file_type().is_char_device());
}

#[test]
fn a_fifo_is_written_in_place_for_its_reader() {
    let dir = dir();
    let fifo = dir.path().join("pipe");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || fs::read_to_string(fifo).unwrap())
    };
    write(&fifo, "streamed\n").unwrap();
    assert_eq!(reader.join().unwrap(), "streamed\n");
    assert!(fs::metadata(&fifo).unwrap().file_type().is_fifo());
}

#[test]
fn directories_and_missing_directories_are_refused() {
    let dir = dir();
    let error = Destination::open(dir.path()).unwrap_err();
    assert!(error
        .to_string()
        .ends_with("is a directory; name a file in it"));
    let missing = dir.path().join("missing/x.sarif");
    let error = Destination::open(&missing).unwrap_err();
    assert!(error.to_string().starts_with("there is no directory `"));
}

#[test]
fn one_file_has_one_identity_however_it_is_named() {
    let dir = dir();
    let file = dir.path().join("a.xml");
    let link = dir.path().join("link.xml");
    std::os::unix::fs::symlink("a.xml", &link).unwrap();
    let dotted = dir.path().join(".").join("a.xml");
    assert_eq!(identity(&file), identity(&link), "not yet created");
    assert_eq!(identity(&file), identity(&dotted));
    fs::write(&file, "").unwrap();
    assert_eq!(identity(&file), identity(&link), "existing");
    assert_ne!(identity(&file), identity(&dir.path().join("b.xml")));
    assert_eq!(
        identity(Path::new("/dev/null")),
        None,
        "devices may be shared"
    );
}

#[test]
fn a_folder_takes_files_in_folders_it_creates_and_leaves_nothing_else() {
    let dir = dir();
    let code = dir.path().join("code");
    let folder = Folder::open(&code).unwrap();
    assert!(
        !code.exists(),
        "nothing is created before the files are written"
    );
    let files = [
        (PathBuf::from("111122223333/main.tf"), "a\n".to_string()),
        (PathBuf::from("111122223333/us-east-1.yaml"), "b\n".into()),
    ];
    folder.write(files).unwrap();
    assert_eq!(
        names(&code.join("111122223333")),
        ["main.tf", "us-east-1.yaml"]
    );
    assert_eq!(names(dir.path()), ["code"]);
    let again = Folder::open(&code).unwrap();
    again
        .write([(PathBuf::from("111122223333/main.tf"), "c\n".to_string())])
        .unwrap();
    assert_eq!(
        fs::read_to_string(code.join("111122223333/main.tf")).unwrap(),
        "c\n"
    );
}

#[test]
fn a_folder_that_is_a_file_or_has_no_parent_is_refused() {
    let dir = dir();
    let file = dir.path().join("file");
    fs::write(&file, "").unwrap();
    assert!(matches!(Folder::open(&file), Err(Error::NotFolder { .. })));
    let orphan = dir.path().join("no/such");
    assert!(matches!(
        Folder::open(&orphan),
        Err(Error::NoDirectory { .. })
    ));
    let folder = Folder::open(dir.path()).unwrap();
    // A name next to the folder that nothing else uses, so that its absence means something.
    let name = format!(
        "../{}-outside",
        dir.path().file_name().unwrap().to_string_lossy()
    );
    let outside = folder.write([(PathBuf::from(&name), String::new())]);
    assert!(matches!(outside, Err(Error::Outside { .. })));
    assert!(!dir.path().join(&name).exists());
}

#[test]
fn two_folders_share_a_path_only_for_different_formats() {
    let dir = dir();
    let code = dir.path().join("code");
    let folder = || Target::open(&code, true).unwrap();
    let file = Target::open(&code, false).unwrap();
    let (a, b) = (folder(), folder());
    assert_eq!(
        Target::clash(&[("terraform", &a), ("cloudformation", &b)]),
        None
    );
    assert_eq!(
        Target::clash(&[("terraform", &a), ("terraform", &b)]),
        Some((0, 1))
    );
    assert_eq!(
        Target::clash(&[("terraform", &a), ("json", &file)]),
        Some((0, 1))
    );
}
