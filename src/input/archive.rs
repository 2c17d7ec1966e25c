//! Archives: `.gz` files are decompressed as a stream (every gzip member); `.zip` archives are
//! listed and each member is read as its own input, shown as `archive.zip!member`.

use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

/// One member of a zip archive, to be read as an input of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZipMember {
    pub archive: PathBuf,
    pub index: usize,
    /// Member path inside the archive (decoded as UTF-8, else GB18030).
    pub name: String,
}

/// A member that will not be read, and why (folders are left out silently).
#[derive(Debug, Clone)]
pub struct SkippedMember {
    pub name: String,
    pub reason: String,
}

fn member_name(raw: &[u8]) -> String {
    match std::str::from_utf8(raw) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::GB18030
            .decode_without_bom_handling(raw)
            .0
            .into_owned(),
    }
}

/// List the members of a zip archive, in archive order.
pub fn list_zip(path: &Path) -> Result<(Vec<ZipMember>, Vec<SkippedMember>), String> {
    let file = std::fs::File::open(path).map_err(|e| super::walk::describe(&e))?;
    let mut zip =
        zip::ZipArchive::new(file).map_err(|e| format!("not a readable zip archive: {e}"))?;
    let mut members = Vec::new();
    let mut skipped = Vec::new();
    for index in 0..zip.len() {
        let entry = match zip.by_index_raw(index) {
            Ok(e) => e,
            Err(e) => {
                skipped.push(SkippedMember {
                    name: format!("#{index}"),
                    reason: e.to_string(),
                });
                continue;
            }
        };
        let name = member_name(entry.name_raw());
        if entry.is_dir() {
            continue;
        }
        if entry.encrypted() {
            skipped.push(SkippedMember {
                name,
                reason: "encrypted member".into(),
            });
            continue;
        }
        if name.to_lowercase().ends_with(".zip") {
            skipped.push(SkippedMember {
                name,
                reason: "zip inside a zip archive: extract it first".into(),
            });
            continue;
        }
        members.push(ZipMember {
            archive: path.to_path_buf(),
            index,
            name,
        });
    }
    Ok((members, skipped))
}

/// A reader fed by a thread that decompresses one zip member; errors arrive as `io::Error`.
struct ChannelReader {
    rx: Receiver<Result<Vec<u8>, String>>,
    buf: Vec<u8>,
    pos: usize,
}

impl Read for ChannelReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.buf.len() {
            match self.rx.recv() {
                Ok(Ok(chunk)) => {
                    self.buf = chunk;
                    self.pos = 0;
                }
                Ok(Err(e)) => return Err(io::Error::other(e)),
                Err(_) => return Ok(0),
            }
        }
        let n = out.len().min(self.buf.len() - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

fn pump(member: &ZipMember, tx: &SyncSender<Result<Vec<u8>, String>>) -> Result<(), String> {
    let file = std::fs::File::open(&member.archive).map_err(|e| super::walk::describe(&e))?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| e.to_string())?;
    let mut f = zip.by_index(member.index).map_err(|e| e.to_string())?;
    loop {
        let mut chunk = vec![0u8; 256 << 10];
        let n = f
            .read(&mut chunk)
            .map_err(|e| format!("cannot decompress: {e}"))?;
        if n == 0 {
            return Ok(());
        }
        chunk.truncate(n);
        if tx.send(Ok(chunk)).is_err() {
            return Ok(());
        }
    }
}

/// Stream one member's bytes.
pub fn open_member(member: &ZipMember) -> Box<dyn Read + Send> {
    let (tx, rx) = sync_channel(4);
    let m = member.clone();
    std::thread::spawn(move || {
        if let Err(e) = pump(&m, &tx) {
            let _ = tx.send(Err(e));
        }
    });
    Box::new(ChannelReader {
        rx,
        buf: Vec::new(),
        pos: 0,
    })
}

/// The extension that decides the format once `.gz` is taken off (`calls.csv.gz` → `csv`).
pub fn inner_extension(name: &str) -> String {
    let lower = name.to_lowercase();
    let stem = lower.strip_suffix(".gz").unwrap_or(&lower);
    Path::new(stem)
        .extension()
        .map(|e| e.to_string_lossy().into_owned())
        .unwrap_or_default()
}

pub fn gunzip(reader: Box<dyn Read + Send>) -> Box<dyn Read + Send> {
    Box::new(flate2::read::MultiGzDecoder::new(reader))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn zip_members_stream_with_gbk_names() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.zip");
        let mut w = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        w.add_directory("dir/", opts).unwrap();
        w.start_file("dir/短信.csv", opts).unwrap();
        w.write_all("内容\n你好\n".as_bytes()).unwrap();
        w.start_file("inner.zip", opts).unwrap();
        w.write_all(b"PK").unwrap();
        w.finish().unwrap();
        let (members, skipped) = list_zip(&path).unwrap();
        assert_eq!(members.len(), 1);
        assert_eq!(members[0].name, "dir/短信.csv");
        assert_eq!(skipped.len(), 1);
        let mut s = String::new();
        open_member(&members[0]).read_to_string(&mut s).unwrap();
        assert_eq!(s, "内容\n你好\n");
        assert!(list_zip(&dir.path().join("nope.zip")).is_err());
        assert_eq!(
            member_name(&encoding_rs::GB18030.encode("通话.txt").0),
            "通话.txt"
        );
        assert_eq!(inner_extension("x/Calls.CSV.gz"), "csv");
    }
}
