//! Expanding command-line paths into a sorted, deterministic list of inputs.

use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Stdin,
    File(PathBuf),
    /// A member of a zip archive (listed when the archive's turn comes).
    ZipMember(super::archive::ZipMember),
}

/// A path that could not be listed (missing, no permission).
#[derive(Debug, Clone)]
pub struct WalkError {
    pub path: String,
    pub message: String,
}

/// Files named on the command line are taken as they are; folders are walked recursively in
/// name order, hidden files included (a regulator must not lose any). `-` or no path is stdin.
pub fn expand(paths: &[PathBuf]) -> (Vec<Input>, Vec<WalkError>) {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    if paths.is_empty() {
        inputs.push(Input::Stdin);
    }
    for p in paths {
        if p.as_os_str() == "-" {
            inputs.push(Input::Stdin);
            continue;
        }
        match std::fs::metadata(p) {
            Err(e) => errors.push(WalkError {
                path: p.display().to_string(),
                message: describe(&e),
            }),
            Ok(m) if m.is_dir() => walk_dir(p, &mut inputs, &mut errors),
            Ok(_) => inputs.push(Input::File(p.clone())),
        }
    }
    (inputs, errors)
}

fn walk_dir(dir: &Path, inputs: &mut Vec<Input>, errors: &mut Vec<WalkError>) {
    let walker = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .follow_links(false);
    for entry in walker {
        match entry {
            Ok(e) if e.file_type().is_file() => inputs.push(Input::File(e.into_path())),
            Ok(_) => {}
            Err(e) => {
                let path = e
                    .path()
                    .map(|p| p.display().to_string())
                    .unwrap_or_else(|| dir.display().to_string());
                let message = e.io_error().map(describe).unwrap_or_else(|| e.to_string());
                errors.push(WalkError { path, message });
            }
        }
    }
}

pub fn describe(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_are_sorted_and_missing_paths_reported() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("b")).unwrap();
        std::fs::write(dir.path().join("b/2.txt"), "x").unwrap();
        std::fs::write(dir.path().join("a.txt"), "x").unwrap();
        std::fs::write(dir.path().join(".hidden.txt"), "x").unwrap();
        let missing = dir.path().join("nope");
        let (inputs, errors) = expand(&[dir.path().to_path_buf(), missing]);
        let names: Vec<String> = inputs
            .iter()
            .map(|i| match i {
                Input::File(p) => p.strip_prefix(dir.path()).unwrap().display().to_string(),
                _ => "-".into(),
            })
            .collect();
        assert_eq!(names, vec![".hidden.txt", "a.txt", "b/2.txt"]);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].message, "no such file or directory");
    }
}
