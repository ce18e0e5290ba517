//! A batch file's bytes read into rows of text cells: CSV (UTF-8, comma or semicolon,
//! as spreadsheets in Brazil save it) or the first sheet of an XLSX workbook. The size
//! is checked before anything is parsed, and the row count while reading, so a hostile
//! file costs at most the limits.

use super::{FileProblem, MAX_BYTES, MAX_ROWS};

/// The cells of `bytes`, read as the file's name or its first bytes say (an XLSX is a
/// zip, which starts with "PK").
pub fn read_table(name: &str, bytes: &[u8]) -> Result<Vec<Vec<String>>, FileProblem> {
    if bytes.len() > MAX_BYTES {
        return Err(FileProblem::TooLarge);
    }
    if bytes.is_empty() {
        return Err(FileProblem::Empty);
    }
    let lower = name.to_ascii_lowercase();
    if bytes.starts_with(b"PK") || lower.ends_with(".xlsx") {
        read_xlsx(bytes)
    } else if lower.ends_with(".csv") || lower.ends_with(".txt") || !lower.contains('.') {
        read_csv(bytes)
    } else {
        Err(FileProblem::UnknownFormat)
    }
}

fn read_csv(bytes: &[u8]) -> Result<Vec<Vec<String>>, FileProblem> {
    let text = std::str::from_utf8(bytes).map_err(|e| FileProblem::Malformed {
        line: Some(
            1 + bytes[..e.valid_up_to()]
                .iter()
                .filter(|b| **b == b'\n')
                .count(),
        ),
    })?;
    // The header line says which separator the file uses.
    let first = text.lines().next().unwrap_or_default();
    let delimiter = if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut table = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| FileProblem::Malformed {
            line: e.position().map(|p| p.line() as usize),
        })?;
        // The header and one row more than allowed are enough to say "too many".
        if table.len() > MAX_ROWS + 1 {
            break;
        }
        table.push(record.iter().map(str::to_owned).collect());
    }
    Ok(table)
}

fn read_xlsx(bytes: &[u8]) -> Result<Vec<Vec<String>>, FileProblem> {
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes))
        .map_err(|_| FileProblem::Malformed { line: None })?;
    let Some(sheet) = book.worksheet_range_at(0) else {
        return Err(FileProblem::Empty);
    };
    let sheet = sheet.map_err(|_| FileProblem::Malformed { line: None })?;
    let mut table = Vec::new();
    for row in sheet.rows().take(MAX_ROWS + 2) {
        table.push(
            row.iter()
                .map(|cell| match cell {
                    Data::Empty => String::new(),
                    Data::String(s) => s.clone(),
                    // Amounts typed as numbers: written back as the shortest decimal, so
                    // 12.5 reads as "12.5" (the currency's decimals are checked later).
                    Data::Float(f) => f.to_string(),
                    Data::Int(i) => i.to_string(),
                    other => other.to_string(),
                })
                .collect(),
        );
    }
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_commas_or_semicolons_and_quotes() {
        let t = read_table(
            "a.csv",
            "transaction_id;amount;currency\r\nPAY-1;\"12.50\";USD\r\n".as_bytes(),
        )
        .unwrap();
        assert_eq!(t[1], ["PAY-1", "12.50", "USD"]);
        let t = read_table("a.csv", b"transaction_id,amount,currency\nPAY-1,1,USD\n").unwrap();
        assert_eq!(t.len(), 2);
    }

    #[test]
    fn bad_files_are_refused_with_where_and_why() {
        assert_eq!(read_table("a.csv", b""), Err(FileProblem::Empty));
        assert_eq!(
            read_table("a.pdf", b"%PDF-1.7"),
            Err(FileProblem::UnknownFormat)
        );
        assert_eq!(
            read_table("a.csv", &vec![b'a'; MAX_BYTES + 1]),
            Err(FileProblem::TooLarge)
        );
        let latin1 = b"transaction_id,amount,currency\nPAY-1,1,USD\nS\xe3o,1,BRL\n";
        assert!(matches!(
            read_table("a.csv", latin1),
            Err(FileProblem::Malformed { line: Some(3), .. })
        ));
        assert!(matches!(
            read_table("a.xlsx", b"PK\x03\x04 not really a zip"),
            Err(FileProblem::Malformed { line: None, .. })
        ));
    }

    #[test]
    fn the_first_sheet_of_a_workbook() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (c, name) in ["transaction_id", "amount", "currency"].iter().enumerate() {
            sheet.write_string(0, c as u16, *name).unwrap();
        }
        sheet.write_string(1, 0, "PAY-1").unwrap();
        sheet.write_number(1, 1, 12.5).unwrap();
        sheet.write_string(1, 2, "USD").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let t = read_table("refunds.xlsx", &bytes).unwrap();
        assert_eq!(t[1], ["PAY-1", "12.5", "USD"]);
    }
}
