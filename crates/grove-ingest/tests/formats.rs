//! Document formats read from files made by other tools (see
//! `fixtures/make_fixtures.py`: python-docx and fpdf2), and uploads: size
//! limits, zip expansion, traversal and bomb protection, all or nothing.

use std::io::Write;
use std::path::PathBuf;

use grove_core::ids::DataSourceId;
use grove_ingest::files::{FileStore, UploadError, UploadLimits};
use grove_ingest::parse::parse_raw;
use grove_ingest::BlockKind;

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read(path).unwrap()
}

fn text_of(doc: &grove_ingest::ParsedDoc, kind: BlockKind) -> Vec<&str> {
    doc.blocks
        .iter()
        .filter(|b| b.kind == kind)
        .map(|b| &doc.text[b.start..b.end])
        .collect()
}

#[test]
fn a_word_file_keeps_title_headings_lists_and_tables() {
    let doc = parse_raw("handbook.docx", "", &fixture("handbook.docx")).unwrap();
    assert_eq!(doc.title, "Greenhouse Handbook");
    assert_eq!(
        text_of(&doc, BlockKind::Heading),
        ["Greenhouse Handbook", "Watering", "Pests"]
    );
    let whiteflies = doc
        .blocks
        .iter()
        .find(|b| doc.text[b.start..b.end].starts_with("Whiteflies"))
        .unwrap();
    assert_eq!(
        whiteflies.heading_path,
        ["Greenhouse Handbook", "Watering", "Pests"]
    );
    assert!(doc
        .text
        .contains("- Check the soil moisture before every watering"));
    assert_eq!(
        text_of(&doc, BlockKind::Table),
        ["Plant | Spacing\nBasil | 25 cm"]
    );
}

#[test]
fn a_pdf_is_read_page_by_page() {
    let doc = parse_raw("manual.pdf", "application/pdf", &fixture("manual.pdf")).unwrap();
    assert_eq!(doc.title, "manual");
    assert_eq!(text_of(&doc, BlockKind::Heading), ["Page 1", "Page 2"]);
    let drain = doc
        .blocks
        .iter()
        .find(|b| doc.text[b.start..b.end].contains("Drain the pump"))
        .unwrap();
    assert_eq!(drain.heading_path, ["Page 2"]);
    assert!(doc.text.contains("two litres per hour"));
}

#[test]
fn broken_files_are_errors_not_crashes() {
    for name in ["broken.pdf", "broken.docx"] {
        let err = parse_raw(name, "", b"%PDF-1.4 this is not really a document").unwrap_err();
        assert!(err.contains("could not be read"), "{name}: {err}");
    }
    let err = parse_raw("photo.png", "image/png", b"\x89PNG").unwrap_err();
    assert!(err.contains("unsupported"), "{err}");
}

#[test]
fn a_csv_becomes_column_value_rows() {
    let doc = parse_raw("plants.csv", "", b"name,height\nfern,40 cm\ncactus,\n").unwrap();
    assert_eq!(
        text_of(&doc, BlockKind::Table),
        ["name: fern; height: 40 cm\nname: cactus"]
    );
    assert_eq!(doc.blocks[1].heading_path, ["plants"]);
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        out.start_file(*name, options).unwrap();
        out.write_all(bytes).unwrap();
    }
    out.finish().unwrap().into_inner()
}

const LIMITS: UploadLimits = UploadLimits {
    max_file_bytes: 1000,
    max_zip_bytes: 3000,
};

/// Uploads `parts` into a fresh data source; the stored file names, or the error.
fn upload(
    store: &FileStore,
    ds: &DataSourceId,
    parts: &[(&str, &[u8])],
) -> Result<Vec<String>, UploadError> {
    let mut upload = store.begin(LIMITS)?;
    for (name, bytes) in parts {
        let mut part = upload.part(name)?;
        for piece in bytes.chunks(100) {
            part.write(piece)?;
        }
        upload.finish_part(part)?;
    }
    let (files, _) = upload.commit(store, ds)?;
    Ok(files.into_iter().map(|f| f.name).collect())
}

fn stored(store: &FileStore, ds: &DataSourceId) -> Vec<String> {
    store
        .list(ds)
        .unwrap()
        .into_iter()
        .map(|f| f.name)
        .collect()
}

#[test]
fn uploads_store_files_and_expand_archives() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::new(dir.path());
    let ds = DataSourceId::generate();
    let archive = zip_of(&[
        ("docs/a.md", b"# A\n\ntext"),
        ("docs/b.txt", b"plain"),
        ("images/logo.png", b"\x89PNG"),
    ]);
    let names = upload(
        &store,
        &ds,
        &[
            ("C:\\Users\\me\\notes.txt", b"hello"),
            ("bundle.zip", &archive),
        ],
    )
    .unwrap();
    assert_eq!(names, ["notes.txt", "docs/a.md", "docs/b.txt"]);
    assert_eq!(
        stored(&store, &ds),
        ["docs/a.md", "docs/b.txt", "notes.txt"]
    );
    assert!(store.delete(&ds, "docs/a.md").unwrap());
    assert!(!store.delete(&ds, "docs/a.md").unwrap());
    assert!(store.delete(&ds, "../escape").is_err());
    assert_eq!(stored(&store, &ds), ["docs/b.txt", "notes.txt"]);
}

#[test]
fn refused_uploads_store_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::new(dir.path());
    let ds = DataSourceId::generate();
    let big = vec![b'x'; 1001];
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("too big", big.clone(), "larger than the limit of 1000"),
        (
            "traversal",
            zip_of(&[("ok.txt", b"fine"), ("../../etc/cron.d/x.txt", b"evil")]),
            "outside the archive",
        ),
        (
            "absolute",
            zip_of(&[("/etc/x.txt", b"evil")]),
            "outside the archive",
        ),
        // Compresses to a few bytes, expands past the zip limit: a bomb.
        (
            "bomb",
            zip_of(&[
                ("a.txt", &[b'a'; 900]),
                ("b.txt", &[b'b'; 900]),
                ("c.txt", &[b'c'; 900]),
                ("d.txt", &[b'd'; 900]),
            ]),
            "(expanded)` is larger",
        ),
        (
            "entry too big",
            zip_of(&[("big.txt", &big)]),
            "big.txt` is larger",
        ),
        (
            "not a zip",
            b"PK but not really".to_vec(),
            "not a readable zip",
        ),
    ];
    for (case, bytes, expected) in cases {
        let name = if case == "too big" {
            "big.txt"
        } else {
            "upload.zip"
        };
        let err = upload(&store, &ds, &[("first.md", b"# kept?"), (name, &bytes)]).unwrap_err();
        assert!(err.to_string().contains(expected), "{case}: {err}");
        assert!(stored(&store, &ds).is_empty(), "{case} stored something");
    }
    let err = upload(&store, &ds, &[("movie.mp4", b"..")]).unwrap_err();
    assert!(err.to_string().contains("unsupported file type"), "{err}");
    let staging = dir.path().join("files/.staging");
    assert_eq!(
        std::fs::read_dir(staging).unwrap().count(),
        0,
        "staging left behind"
    );
}
