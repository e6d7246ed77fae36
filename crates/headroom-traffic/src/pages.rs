//! Checks a Parquet file's value counts before polars decodes it, so that a damaged file
//! is an error naming it instead of an abort.
//!
//! polars' reader sizes its buffers by the counts a file declares: a page header whose
//! `num_values` was damaged into a negative number made it reserve 2^61 bytes, and a
//! failed allocation aborts the process (found by the damage property tests in CI,
//! 2026-11-28). A panic can be caught; an abort cannot. So before decoding, every count
//! the reader will allocate by is held against the others: each page's value count
//! against its column chunk's, the chunks' against their row group's rows, a
//! dictionary's entries against the values it encodes, and the row groups' rows against
//! the file's. headroom's tables (and the ones Spark writes for it) are flat, so a
//! nested column is refused as well: its counts could not be bounded this way.

use std::io::Cursor;

use polars_buffer::Buffer;
use polars_parquet::parquet::compression::DecompressionContext;
use polars_parquet::parquet::page::{CompressedPage, Page};
use polars_parquet::parquet::read::{decompress, get_page_iterator, read_metadata};

/// The largest page the check reads; headroom's pages are a few hundred KiB at most, and
/// polars' own limit is 1 GiB.
const MAX_PAGE_BYTES: usize = 1 << 30;

/// Ok when every declared count agrees with the others; otherwise why not.
pub(crate) fn check_counts(bytes: &Buffer<u8>) -> Result<(), String> {
    let meta = read_metadata(&mut Cursor::new(bytes.clone())).map_err(|e| e.to_string())?;
    let mut file_rows = 0usize;
    let mut scratch = Vec::new();
    let mut context = DecompressionContext::Unset;
    for (g, group) in meta.row_groups.iter().enumerate() {
        let rows = group.num_rows();
        file_rows = file_rows.saturating_add(rows);
        for column in group.parquet_columns() {
            let name = &column.descriptor().path_in_schema.join(".");
            let bad = |what: String| format!("row group {g}, column {name}: {what}");
            if column.descriptor().descriptor.max_rep_level != 0 {
                return Err(bad(
                    "a nested column, which no headroom table has".to_owned()
                ));
            }
            let declared = column.num_values();
            if usize::try_from(declared) != Ok(rows) {
                return Err(bad(format!("{declared} values in a group of {rows} rows")));
            }
            let pages = get_page_iterator(
                column,
                Cursor::new(bytes.clone()),
                std::mem::take(&mut scratch),
                MAX_PAGE_BYTES,
            )
            .map_err(|e| bad(e.to_string()))?;
            let mut seen = 0usize;
            for page in pages {
                match page.map_err(|e| bad(e.to_string()))? {
                    CompressedPage::Data(page) => {
                        // `num_values` is the header's i32 cast to usize, so a negative
                        // count arrives here as a huge one.
                        let n = page.num_values();
                        if n > rows - seen {
                            return Err(bad(format!(
                                "a page of {n} values after {seen} of {rows}"
                            )));
                        }
                        seen += n;
                    }
                    dict @ CompressedPage::Dict(_) => {
                        let Page::Dict(dict) = decompress(dict, &mut scratch, &mut context)
                            .map_err(|e| bad(e.to_string()))?
                        else {
                            unreachable!("a dictionary page decompresses to one")
                        };
                        if dict.num_values > rows {
                            return Err(bad(format!(
                                "a dictionary of {} entries for {rows} values",
                                dict.num_values
                            )));
                        }
                    }
                }
            }
            if seen != rows {
                return Err(bad(format!("pages hold {seen} of its {rows} values")));
            }
        }
    }
    if file_rows != meta.num_rows {
        return Err(format!(
            "row groups hold {file_rows} rows, the footer says {}",
            meta.num_rows
        ));
    }
    Ok(())
}

/// Where each page header of the file starts (tests damage them byte by byte).
#[cfg(test)]
pub(crate) fn page_header_offsets(bytes: &Buffer<u8>) -> Vec<usize> {
    let meta = read_metadata(&mut Cursor::new(bytes.clone())).unwrap();
    let mut offsets = Vec::new();
    for column in meta.row_groups.iter().flat_map(|g| g.parquet_columns()) {
        let start = column.byte_range().start as usize;
        offsets.push(start);
        // A fresh reader per page: the reader's position after `k` pages is where the
        // next header starts.
        for k in 1.. {
            let mut pages =
                get_page_iterator(column, Cursor::new(bytes.clone()), vec![], MAX_PAGE_BYTES)
                    .unwrap();
            if (&mut pages).take(k).count() < k {
                break;
            }
            let at = pages.into_inner().0.position() as usize;
            if at >= column.byte_range().end as usize {
                break;
            }
            offsets.push(at);
        }
    }
    offsets
}
