//! Résumé uploads: the type is decided by the bytes, not the file name or the browser's content type,
//! because both are whatever the uploader says. PDF and Word (.docx) only, at most 10 MB.

use serde::Serialize;

use crate::Invalid;

/// The largest résumé accepted: 10 MB.
pub const MAX_RESUME_BYTES: usize = 10 * 1024 * 1024;

/// The kinds of résumé accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ResumeKind {
    /// A PDF document.
    Pdf,
    /// A Word document (Office Open XML).
    Docx,
}

impl ResumeKind {
    /// The content type to serve it with.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        }
    }

    /// The file extension to store and download it with.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Docx => "docx",
        }
    }
}

const ZIP_LOCAL_HEADER: &[u8; 4] = b"PK\x03\x04";

/// Decides what `bytes` are: a PDF (starts with `%PDF-`) or a Word document (a ZIP whose entries include
/// `[Content_Types].xml` and something under `word/`). Anything else — including other ZIPs such as
/// spreadsheets — is refused with an `Invalid` on `resume` naming the allowed types or the size limit.
pub fn sniff_resume(bytes: &[u8]) -> Result<ResumeKind, Invalid> {
    if bytes.is_empty() {
        return Err(Invalid::required("resume"));
    }
    if bytes.len() > MAX_RESUME_BYTES {
        return Err(Invalid::new(
            "resume",
            "too_large",
            "the résumé is larger than 10 MB",
        ));
    }
    if bytes.starts_with(b"%PDF-") {
        return Ok(ResumeKind::Pdf);
    }
    if bytes.starts_with(ZIP_LOCAL_HEADER) {
        let names = zip_entry_names(bytes);
        let has_content_types = names.iter().any(|n| *n == b"[Content_Types].xml");
        let has_word_part = names.iter().any(|n| n.starts_with(b"word/"));
        if has_content_types && has_word_part {
            return Ok(ResumeKind::Docx);
        }
        return Err(Invalid::new(
            "resume",
            "unsupported_file_type",
            "the résumé is a ZIP archive but not a Word document; upload a PDF or a Word (.docx) file",
        ));
    }
    Err(Invalid::new(
        "resume",
        "unsupported_file_type",
        "the résumé must be a PDF or a Word (.docx) file",
    ))
}

/// The names in every ZIP local file header. Headers are found by scanning for their signature rather than
/// by following sizes, because Word may write entries with sizes deferred to a data descriptor; a stray
/// signature inside compressed data only adds a junk name, which cannot make a non-Word file pass both checks
/// by accident in practice.
fn zip_entry_names(bytes: &[u8]) -> Vec<&[u8]> {
    let mut names = Vec::new();
    let mut at = 0;
    while let Some(found) = find(&bytes[at..], ZIP_LOCAL_HEADER) {
        let header = at + found;
        // Name length at offset 26, extra length at 28, name from offset 30.
        if let Some(len_bytes) = bytes.get(header + 26..header + 28) {
            let name_len = usize::from(u16::from_le_bytes([len_bytes[0], len_bytes[1]]));
            if let Some(name) = bytes.get(header + 30..header + 30 + name_len) {
                names.push(name);
            }
        }
        at = header + ZIP_LOCAL_HEADER.len();
    }
    names
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal ZIP local-file-header sequence with empty stored entries — enough for sniffing.
    fn zip_with(names: &[&str]) -> Vec<u8> {
        let mut out = Vec::new();
        for name in names {
            out.extend_from_slice(ZIP_LOCAL_HEADER);
            out.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // version, flags, method, time, date
            out.extend_from_slice(&[0; 12]); // crc, compressed size, uncompressed size
            out.extend_from_slice(&u16::try_from(name.len()).unwrap().to_le_bytes());
            out.extend_from_slice(&[0, 0]); // extra length
            out.extend_from_slice(name.as_bytes());
        }
        out.extend_from_slice(b"PK\x05\x06");
        out.extend_from_slice(&[0; 18]);
        out
    }

    #[test]
    fn a_pdf_is_recognised_by_its_magic() {
        assert_eq!(
            sniff_resume(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"),
            Ok(ResumeKind::Pdf)
        );
        assert_eq!(ResumeKind::Pdf.content_type(), "application/pdf");
    }

    #[test]
    fn a_word_document_is_recognised_from_its_zip_entries() {
        let docx = zip_with(&["[Content_Types].xml", "_rels/.rels", "word/document.xml"]);
        assert_eq!(sniff_resume(&docx), Ok(ResumeKind::Docx));
        assert_eq!(ResumeKind::Docx.extension(), "docx");
    }

    #[test]
    fn other_zips_are_refused() {
        let xlsx = zip_with(&["[Content_Types].xml", "xl/workbook.xml"]);
        let err = sniff_resume(&xlsx).unwrap_err();
        assert_eq!(
            (err.field.as_str(), err.code),
            ("resume", "unsupported_file_type")
        );
        assert!(err.message.contains("Word"));
        assert!(
            sniff_resume(&zip_with(&["word/document.xml"])).is_err(),
            "no content types: not OOXML"
        );
    }

    #[test]
    fn other_files_are_refused_naming_the_allowed_types() {
        for bytes in [&b"\x89PNG\r\n\x1a\n"[..], b"{\\rtf1", b"<html><script>", b"%PD"] {
            let err = sniff_resume(bytes).unwrap_err();
            assert_eq!(err.code, "unsupported_file_type");
            assert!(err.message.contains("PDF or a Word (.docx)"));
        }
    }

    #[test]
    fn empty_and_oversized_files_are_refused() {
        assert_eq!(sniff_resume(b"").unwrap_err().code, "required");
        let mut big = b"%PDF-1.4\n".to_vec();
        big.resize(MAX_RESUME_BYTES + 1, b' ');
        let err = sniff_resume(&big).unwrap_err();
        assert_eq!(err.code, "too_large");
        assert!(err.message.contains("10 MB"));
        big.truncate(MAX_RESUME_BYTES);
        assert_eq!(sniff_resume(&big), Ok(ResumeKind::Pdf));
    }

    #[test]
    fn a_truncated_zip_header_does_not_panic() {
        assert!(sniff_resume(b"PK\x03\x04\x14\x00").is_err());
    }
}
