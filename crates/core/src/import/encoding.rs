//! Which text encoding a file is in, and a streaming decoder that hands the rest of the importer UTF-8.
//!
//! Files come from Excel (Windows-1252 or UTF-16 with a BOM), from Salesforce (UTF-8, sometimes with a BOM) and
//! from scripts (plain UTF-8). We look at the first block only, so a million-row file is never held in memory.

use std::io::{self, Chain, Cursor, Read};

use encoding_rs::Encoding;
use encoding_rs_io::{DecodeReaderBytes, DecodeReaderBytesBuilder};

use super::error::ImportError;

/// How much of the file is looked at to decide the encoding (and later the delimiter).
pub const SAMPLE_BYTES: usize = 64 * 1024;

/// The encoding a file was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    /// UTF-8 without a byte-order mark (also plain ASCII).
    Utf8,
    /// UTF-8 with the `EF BB BF` byte-order mark Excel writes.
    Utf8Bom,
    /// UTF-16 little-endian, announced by `FF FE` (Excel's "Unicode text").
    Utf16Le,
    /// UTF-16 big-endian, announced by `FE FF`.
    Utf16Be,
    /// Windows-1252, assumed when the bytes are not valid UTF-8 (old Excel on Windows).
    Windows1252,
    /// Another encoding the user named explicitly (`shift_jis`, `iso-8859-2`, …).
    Other(&'static Encoding),
}

impl TextEncoding {
    /// The WHATWG name of the encoding, for the import summary.
    pub fn label(self) -> &'static str {
        match self {
            Self::Utf8 => "UTF-8",
            Self::Utf8Bom => "UTF-8 (BOM)",
            Self::Utf16Le => "UTF-16LE",
            Self::Utf16Be => "UTF-16BE",
            Self::Windows1252 => "windows-1252",
            Self::Other(encoding) => encoding.name(),
        }
    }

    /// The encoding a user named (`utf-8`, `cp1252`, `latin1`, `utf-16le`, …); refuses labels nobody defines.
    pub fn from_label(label: &str) -> Result<Self, ImportError> {
        let encoding = Encoding::for_label(label.trim().as_bytes())
            .ok_or_else(|| ImportError::UnknownEncoding(format!("'{label}' is not an encoding we know")))?;
        Ok(if encoding == encoding_rs::UTF_8 {
            Self::Utf8
        } else if encoding == encoding_rs::UTF_16LE {
            Self::Utf16Le
        } else if encoding == encoding_rs::UTF_16BE {
            Self::Utf16Be
        } else if encoding == encoding_rs::WINDOWS_1252 {
            Self::Windows1252
        } else {
            Self::Other(encoding)
        })
    }

    fn encoding(self) -> &'static Encoding {
        match self {
            Self::Utf8 | Self::Utf8Bom => encoding_rs::UTF_8,
            Self::Utf16Le => encoding_rs::UTF_16LE,
            Self::Utf16Be => encoding_rs::UTF_16BE,
            Self::Windows1252 => encoding_rs::WINDOWS_1252,
            Self::Other(encoding) => encoding,
        }
    }
}

/// Decides the encoding from the first bytes of a file; `at_eof` says the sample is the whole file.
///
/// Refuses binary files: known signatures (PNG, ZIP/xlsx, PDF, gzip, old .xls) and NUL bytes in what would
/// otherwise be read as UTF-8 or Windows-1252.
pub fn detect(sample: &[u8], at_eof: bool) -> Result<TextEncoding, ImportError> {
    if let Some(what) = binary_signature(sample) {
        return Err(ImportError::NotText(format!("the file starts like {what}")));
    }
    let found = match sample {
        [0xFF, 0xFE, 0, 0, ..] | [0, 0, 0xFE, 0xFF, ..] => {
            return Err(ImportError::UnknownEncoding(
                "the file is UTF-32, which we do not read; save it as UTF-8".to_owned(),
            ));
        }
        [0xEF, 0xBB, 0xBF, ..] => TextEncoding::Utf8Bom,
        [0xFF, 0xFE, ..] => TextEncoding::Utf16Le,
        [0xFE, 0xFF, ..] => TextEncoding::Utf16Be,
        _ if is_utf8_prefix(sample, at_eof) => TextEncoding::Utf8,
        _ => TextEncoding::Windows1252,
    };
    if matches!(
        found,
        TextEncoding::Utf8 | TextEncoding::Utf8Bom | TextEncoding::Windows1252
    ) && let Some(offset) = sample.iter().position(|&b| b == 0)
    {
        return Err(ImportError::NotText(format!(
            "byte {} is NUL, which text never contains (binary data, or UTF-16 without a byte-order mark)",
            offset + 1
        )));
    }
    Ok(found)
}

fn binary_signature(sample: &[u8]) -> Option<&'static str> {
    const SIGNATURES: &[(&[u8], &str)] = &[
        (b"\x89PNG", "a PNG image"),
        (
            b"PK\x03\x04",
            "a ZIP archive (an .xlsx workbook is one: save it as CSV)",
        ),
        (b"%PDF", "a PDF document"),
        (b"\x1F\x8B", "a gzip archive"),
        (b"\xD0\xCF\x11\xE0", "an old Excel .xls workbook (save it as CSV)"),
        (b"\xFF\xD8\xFF", "a JPEG image"),
        (b"GIF8", "a GIF image"),
    ];
    SIGNATURES
        .iter()
        .find(|(magic, _)| sample.starts_with(magic))
        .map(|(_, what)| *what)
}

/// Valid UTF-8, allowing a character cut in half at the end of a sample that is not the whole file.
fn is_utf8_prefix(sample: &[u8], at_eof: bool) -> bool {
    match std::str::from_utf8(sample) {
        Ok(_) => true,
        Err(error) => !at_eof && error.error_len().is_none(),
    }
}

type Replayed<R> = Chain<Cursor<Vec<u8>>, R>;

enum Inner<R: Read> {
    /// Already UTF-8: bytes pass through untouched, which keeps the common case fast.
    Plain(Replayed<R>),
    Transcoded(DecodeReaderBytes<Replayed<R>, Vec<u8>>),
}

/// A reader that yields the file's text as UTF-8, without its byte-order mark.
pub struct DecodedReader<R: Read> {
    inner: Inner<R>,
    encoding: TextEncoding,
}

impl<R: Read> DecodedReader<R> {
    /// The encoding the file was found (or told) to be in.
    pub fn encoding(&self) -> TextEncoding {
        self.encoding
    }
}

impl<R: Read> Read for DecodedReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match &mut self.inner {
            Inner::Plain(reader) => reader.read(buf),
            Inner::Transcoded(reader) => reader.read(buf),
        }
    }
}

/// Wraps `input` in a decoder to UTF-8, detecting the encoding unless `forced` names one.
///
/// A BOM always wins over `forced`, because a file that announces its encoding is right more often than a form.
pub fn decode<R: Read>(mut input: R, forced: Option<TextEncoding>) -> Result<DecodedReader<R>, ImportError> {
    let (mut sample, at_eof) = read_sample(&mut input)?;
    let detected = detect(&sample, at_eof);
    let encoding = match (detected, forced) {
        (Ok(found @ (TextEncoding::Utf8Bom | TextEncoding::Utf16Le | TextEncoding::Utf16Be)), _) => found,
        (Ok(_), Some(forced)) => forced,
        (Ok(found), None) => found,
        (Err(error), _) => return Err(error),
    };
    let bom_len = match encoding {
        TextEncoding::Utf8Bom => 3,
        _ => 2,
    };
    if sample_has_bom(&sample, encoding) {
        sample.drain(..bom_len);
    }
    let replayed = Cursor::new(sample).chain(input);
    let inner = match encoding {
        TextEncoding::Utf8 | TextEncoding::Utf8Bom => Inner::Plain(replayed),
        other => Inner::Transcoded(
            DecodeReaderBytesBuilder::new()
                .encoding(Some(other.encoding()))
                .bom_sniffing(false)
                .build(replayed),
        ),
    };
    Ok(DecodedReader { inner, encoding })
}

fn sample_has_bom(sample: &[u8], encoding: TextEncoding) -> bool {
    match encoding {
        TextEncoding::Utf8Bom => sample.starts_with(&[0xEF, 0xBB, 0xBF]),
        TextEncoding::Utf16Le => sample.starts_with(&[0xFF, 0xFE]),
        TextEncoding::Utf16Be => sample.starts_with(&[0xFE, 0xFF]),
        _ => false,
    }
}

/// Reads up to `SAMPLE_BYTES`, looping because a reader may return short reads before its end.
fn read_sample<R: Read>(input: &mut R) -> io::Result<(Vec<u8>, bool)> {
    let mut sample = Vec::with_capacity(SAMPLE_BYTES);
    let read = input
        .by_ref()
        .take(SAMPLE_BYTES as u64)
        .read_to_end(&mut sample)?;
    Ok((sample, read < SAMPLE_BYTES))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(bytes: &[u8]) -> (TextEncoding, String) {
        let mut reader = decode(bytes, None).unwrap();
        let mut text = String::new();
        reader.read_to_string(&mut text).unwrap();
        (reader.encoding(), text)
    }

    #[test]
    fn plain_utf8_passes_through() {
        assert_eq!(
            decoded("name\nZoë\n".as_bytes()),
            (TextEncoding::Utf8, "name\nZoë\n".to_owned())
        );
    }

    #[test]
    fn utf8_bom_is_stripped() {
        assert_eq!(
            decoded(b"\xEF\xBB\xBFa,b\n"),
            (TextEncoding::Utf8Bom, "a,b\n".to_owned())
        );
    }

    #[test]
    fn utf16_with_either_bom_is_decoded() {
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("a,é\n".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("a,é\n".encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(decoded(&le), (TextEncoding::Utf16Le, "a,é\n".to_owned()));
        assert_eq!(decoded(&be), (TextEncoding::Utf16Be, "a,é\n".to_owned()));
    }

    #[test]
    fn invalid_utf8_is_read_as_windows_1252() {
        assert_eq!(
            decoded(b"name\nZo\xEB \x80\n"),
            (TextEncoding::Windows1252, "name\nZoë €\n".to_owned())
        );
    }

    #[test]
    fn a_character_cut_by_the_sample_edge_is_still_utf8() {
        let mut bytes = vec![b'a'; SAMPLE_BYTES - 1];
        bytes.extend_from_slice("é".as_bytes());
        assert_eq!(detect(&bytes[..SAMPLE_BYTES], false).unwrap(), TextEncoding::Utf8);
    }

    #[test]
    fn png_zip_and_nul_bytes_are_not_text() {
        for bytes in [
            &b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"[..],
            b"PK\x03\x04\x14\0\0\0",
            b"id,name\n1,\0\0\x01",
        ] {
            let error = decode(bytes, None).err().unwrap();
            assert!(matches!(error, ImportError::NotText(_)), "{error}");
            assert!(error.to_string().starts_with("not a CSV or JSON file"), "{error}");
        }
    }

    #[test]
    fn utf32_and_unknown_labels_are_unknown_encodings() {
        assert!(matches!(
            decode(&b"\xFF\xFE\0\0a\0\0\0"[..], None),
            Err(ImportError::UnknownEncoding(_))
        ));
        assert!(matches!(
            TextEncoding::from_label("klingon-8"),
            Err(ImportError::UnknownEncoding(_))
        ));
        assert_eq!(
            TextEncoding::from_label("latin1").unwrap(),
            TextEncoding::Windows1252
        );
    }

    #[test]
    fn a_named_encoding_is_used_when_the_file_has_no_bom() {
        let mut reader = decode(
            &b"\xE9t\xE9"[..],
            Some(TextEncoding::from_label("iso-8859-15").unwrap()),
        )
        .unwrap();
        let mut text = String::new();
        reader.read_to_string(&mut text).unwrap();
        assert_eq!(text, "été");
    }
}
