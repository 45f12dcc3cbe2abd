//! Documents that run from top to bottom over as many pages as they need: headings, labelled
//! paragraphs, tables whose header repeats on every page, and "page n of N" at the foot.

use crate::Printed;
use crate::canvas::{Align, Area, Canvas, Fonts, Sheet, Style};

/// A4 portrait, mm.
pub(crate) const PORTRAIT: (f32, f32) = (210.0, 297.0);
/// A4 landscape, mm.
pub(crate) const LANDSCAPE: (f32, f32) = (297.0, 210.0);

const MARGIN: f32 = 15.0;
const FOOT: f32 = 12.0;
const CELL_PAD: f32 = 1.5;

/// A table's column: its title, its share of the width (relative), and how its cells align.
pub(crate) struct Column {
    pub title: String,
    pub share: f32,
    pub align: Align,
}

impl Column {
    pub(crate) fn new(title: String, share: f32) -> Column {
        Column { title, share, align: Align::Left }
    }

    pub(crate) fn centred(title: String, share: f32) -> Column {
        Column { title, share, align: Align::Centre }
    }
}

/// A document being laid out from the top down.
pub(crate) struct Flow<'f> {
    sheet: Sheet<'f>,
    size: (f32, f32),
    pages: Vec<Canvas<'f>>,
    y: f32,
    footer: String,
}

impl<'f> Flow<'f> {
    pub(crate) fn new(fonts: &'f Fonts, title: &str, size: (f32, f32), footer: String) -> Flow<'f> {
        let sheet = Sheet::new(fonts, title);
        let first = sheet.page(size.0, size.1);
        Flow { sheet, size, pages: vec![first], y: MARGIN, footer }
    }

    fn page(&mut self) -> &mut Canvas<'f> {
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    /// The width text may take.
    pub(crate) fn width(&self) -> f32 {
        self.size.0 - 2.0 * MARGIN
    }

    fn bottom(&self) -> f32 {
        self.size.1 - MARGIN - FOOT
    }

    fn new_page(&mut self) {
        let page = self.sheet.page(self.size.0, self.size.1);
        self.pages.push(page);
        self.y = MARGIN;
    }

    /// Makes sure `height` mm fit below the cursor, starting a page if not.
    fn room(&mut self, height: f32) {
        if self.y + height > self.bottom() && self.y > MARGIN {
            self.new_page();
        }
    }

    /// Leaves `mm` of space.
    pub(crate) fn gap(&mut self, mm: f32) {
        self.y += mm;
    }

    /// A line of text (wrapped if long), aligned as `align` says.
    pub(crate) fn line(&mut self, text: &str, style: Style, align: Align) {
        let width = self.width();
        let lines = self.page().wrap(text, width, style);
        let leading = style.size * 0.3528 * 1.3;
        for line in lines {
            self.room(leading);
            let x = match align {
                Align::Left => MARGIN,
                Align::Centre => MARGIN + width / 2.0,
            };
            let y = self.y + style.size * 0.3528;
            self.page().text(x, y, align, style, &line);
            self.y += leading;
        }
    }

    /// "Label: value" with the value wrapped under the label's width.
    pub(crate) fn field(&mut self, label: &str, value: &str) {
        let label_style = Style::bold(10.0);
        let mut value_style = Style::regular(10.0);
        let label_text = format!("{label}:");
        let label_w = self.page().measure(&label_text, label_style) + 2.0;
        // A label too long to leave the value room (two languages side by side) goes on a line
        // of its own, the value under it.
        if label_w > self.width() * 0.6 {
            self.line(&label_text, label_style, Align::Left);
            self.line(if value.is_empty() { "—" } else { value }, Style::regular(10.0), Align::Left);
            return;
        }
        let width = self.width() - label_w;
        // One long word (a hash, a code) shrinks to stay whole on its line, as far as it reads.
        if !value.contains(char::is_whitespace) {
            while value_style.size > 7.0 && self.page().measure(value, value_style) > width {
                value_style.size -= 0.25;
            }
        }
        let lines = self.page().wrap(if value.is_empty() { "—" } else { value }, width, value_style);
        let leading = 10.0 * 0.3528 * 1.35;
        self.room(leading);
        let y = self.y + 10.0 * 0.3528;
        self.page().text(MARGIN, y, Align::Left, label_style, &label_text);
        for (i, line) in lines.iter().enumerate() {
            if i > 0 {
                self.room(leading);
            }
            let y = self.y + 10.0 * 0.3528;
            self.page().text(MARGIN + label_w, y, Align::Left, value_style, line);
            self.y += leading;
        }
    }

    /// A titled block of free text (a protocol's topics, problems…): the title, then the text in
    /// a frame, or a framed blank of `blank_lines` ruled lines to write in by hand.
    pub(crate) fn block(&mut self, title: &str, text: Option<&str>, blank_lines: usize) {
        self.gap(2.0);
        self.line(title, Style::bold(10.5), Align::Left);
        let style = Style::regular(10.0);
        let leading = 10.0 * 0.3528 * 1.35;
        let width = self.width();
        match text.map(str::trim).filter(|t| !t.is_empty()) {
            Some(text) => {
                for paragraph in text.lines() {
                    for line in self.page().wrap(paragraph, width - 4.0, style) {
                        self.room(leading);
                        let y = self.y + 10.0 * 0.3528;
                        self.page().text(MARGIN + 2.0, y, Align::Left, style, &line);
                        self.y += leading;
                    }
                }
            }
            None => {
                for _ in 0..blank_lines {
                    self.room(7.0);
                    self.y += 7.0;
                    let y = self.y;
                    self.page().line((MARGIN, y), (MARGIN + width, y), 0.3);
                }
            }
        }
        self.gap(1.5);
    }

    /// A table: the header on a grey rule, then the rows, each as tall as its tallest cell;
    /// the header is drawn again at the top of every page the table runs onto. `min_row` keeps a
    /// row tall enough to sign in.
    pub(crate) fn table(&mut self, columns: &[Column], rows: &[Vec<String>], min_row: f32) {
        let total: f32 = columns.iter().map(|c| c.share).sum();
        let width = self.width();
        let widths: Vec<f32> = columns.iter().map(|c| c.share / total * width).collect();
        let head = Style::bold(9.0);
        let body = Style::regular(9.5);
        self.table_header(columns, &widths, head);
        for row in rows {
            let cells: Vec<Vec<String>> = row
                .iter()
                .zip(&widths)
                .map(|(text, w)| self.page().wrap(text, w - 2.0 * CELL_PAD, body))
                .collect();
            let lines = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
            let height = (lines as f32 * 9.5 * 0.3528 * 1.3 + 2.0 * CELL_PAD).max(min_row);
            if self.y + height > self.bottom() {
                self.new_page();
                self.table_header(columns, &widths, head);
            }
            self.cells(columns, &widths, &cells, height, body);
        }
    }

    fn table_header(&mut self, columns: &[Column], widths: &[f32], style: Style) {
        let cells: Vec<Vec<String>> = columns
            .iter()
            .zip(widths)
            .map(|(c, w)| self.page().wrap(&c.title, w - 2.0 * CELL_PAD, style))
            .collect();
        let lines = cells.iter().map(Vec::len).max().unwrap_or(1);
        let height = lines as f32 * style.size * 0.3528 * 1.3 + 2.0 * CELL_PAD;
        self.room(height + 8.0);
        self.cells(columns, widths, &cells, height, style);
        let y = self.y;
        let right = MARGIN + self.width();
        self.page().line((MARGIN, y), (right, y), 1.0);
    }

    fn cells(
        &mut self,
        columns: &[Column],
        widths: &[f32],
        cells: &[Vec<String>],
        height: f32,
        style: Style,
    ) {
        let top = self.y;
        let mut x = MARGIN;
        for ((column, w), lines) in columns.iter().zip(widths).zip(cells) {
            let mut y = top + CELL_PAD + style.size * 0.3528;
            for line in lines {
                let at = match column.align {
                    Align::Left => x + CELL_PAD,
                    Align::Centre => x + w / 2.0,
                };
                self.page().text(at, y, column.align, style, line);
                y += style.size * 0.3528 * 1.3;
            }
            self.page().frame(Area { x, y: top, w: *w, h: height }, 0.3);
            x += w;
        }
        self.y = top + height;
    }

    /// The document, with "page n of N" at the foot of every page.
    pub(crate) fn finish(mut self) -> Printed<'f> {
        let count = self.pages.len();
        let (w, h) = self.size;
        for (i, mut page) in std::mem::take(&mut self.pages).into_iter().enumerate() {
            let foot = format!("{} — {}/{}", self.footer, i + 1, count);
            page.text(w / 2.0, h - MARGIN + 2.0, Align::Centre, Style::caption(8.0), &foot);
            self.sheet.push(page);
        }
        Printed(self.sheet)
    }
}
