//! A page drawn in millimetres from its top-left corner, with the embedded fonts: text placed,
//! centred and fitted into boxes by the fonts' real advance widths, lines, frames and QR codes.
//!
//! printpdf writes what it is told where it is told; it neither measures, centres nor wraps
//! text. The measuring is done here with `ttf-parser` on the very font bytes that are embedded,
//! so what is centred on paper is centred by the glyphs printed.

use printpdf::{
    Color, CurTransMat, FontId, Line, LinePoint, Mm, Op, PaintMode, ParsedFont, PdfDocument, PdfFontHandle,
    PdfPage, Point, Pt, Rect, Rgb, TextItem, WindingOrder,
};

static REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

/// One embedded face: what printpdf embeds, and its metrics for measuring.
pub(crate) struct Face {
    parsed: ParsedFont,
    metrics: ttf_parser::Face<'static>,
}

impl Face {
    fn load(bytes: &'static [u8], name: &str) -> Result<Face, crate::PrintError> {
        let broken = || crate::PrintError::Font(name.to_owned());
        let parsed = ParsedFont::from_bytes(bytes, 0, &mut Vec::new()).ok_or_else(broken)?;
        let metrics = ttf_parser::Face::parse(bytes, 0).map_err(|_| broken())?;
        Ok(Face { parsed, metrics })
    }

    /// The width of `text` at `size` points, in millimetres. A character the font lacks counts
    /// as its "missing glyph", as it would print.
    pub(crate) fn width_mm(&self, text: &str, size: f32) -> f32 {
        let units: u32 = text
            .chars()
            .map(|c| {
                let glyph = self.metrics.glyph_index(c).unwrap_or(ttf_parser::GlyphId(0));
                u32::from(self.metrics.glyph_hor_advance(glyph).unwrap_or(0))
            })
            .sum();
        units as f32 / f32::from(self.metrics.units_per_em()) * size * MM_PER_PT
    }
}

const MM_PER_PT: f32 = 25.4 / 72.0;

/// The two faces every document uses: DejaVu Sans and DejaVu Sans Bold, which have every letter
/// of the Kazakh alphabet (Ә Ғ Қ Ң Ө Ұ Ү Һ І). Parsed once, embedded (subset) in each document.
pub(crate) struct Fonts {
    regular: Face,
    bold: Face,
}

impl Fonts {
    pub(crate) fn load() -> Result<Fonts, crate::PrintError> {
        Ok(Fonts {
            regular: Face::load(REGULAR, "DejaVu Sans")?,
            bold: Face::load(BOLD, "DejaVu Sans Bold")?,
        })
    }

    fn face(&self, bold: bool) -> &Face {
        if bold { &self.bold } else { &self.regular }
    }
}

/// How a run of text is set.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Style {
    /// Size in points.
    pub size: f32,
    /// Bold face.
    pub bold: bool,
    /// Grey instead of black (captions).
    pub grey: bool,
}

impl Style {
    pub(crate) const fn regular(size: f32) -> Style {
        Style { size, bold: false, grey: false }
    }

    pub(crate) const fn bold(size: f32) -> Style {
        Style { size, bold: true, grey: false }
    }

    pub(crate) const fn caption(size: f32) -> Style {
        Style { size, bold: false, grey: true }
    }
}

/// Where text goes along a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Centre,
}

/// A box on the page, in millimetres from the top-left corner.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Area {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
}

/// A document being drawn, page by page.
pub(crate) struct Sheet<'f> {
    fonts: &'f Fonts,
    doc: PdfDocument,
    regular: FontId,
    bold: FontId,
    pages: Vec<(f32, f32, Vec<Op>, Vec<QrMark>)>,
}

/// One page being drawn.
pub(crate) struct Canvas<'s> {
    fonts: &'s Fonts,
    regular: FontId,
    bold: FontId,
    /// Page width, mm.
    pub width: f32,
    /// Page height, mm.
    pub height: f32,
    ops: Vec<Op>,
    qrs: Vec<QrMark>,
}

impl<'f> Sheet<'f> {
    pub(crate) fn new(fonts: &'f Fonts, title: &str) -> Sheet<'f> {
        let mut doc = PdfDocument::new(title);
        let regular = doc.add_font(&fonts.regular.parsed);
        let bold = doc.add_font(&fonts.bold.parsed);
        doc.metadata.info.creator = "Korpus".into();
        doc.metadata.info.producer = "Korpus (printpdf)".into();
        Sheet { fonts, doc, regular, bold, pages: Vec::new() }
    }

    /// Sets the document's subject (what `korpus verify-certificate` reads back).
    pub(crate) fn set_subject(&mut self, subject: String) {
        self.doc.metadata.info.subject = subject;
    }

    /// A blank page of `width` x `height` mm.
    pub(crate) fn page(&self, width: f32, height: f32) -> Canvas<'f> {
        Canvas {
            fonts: self.fonts,
            regular: self.regular.clone(),
            bold: self.bold.clone(),
            width,
            height,
            ops: Vec::new(),
            qrs: Vec::new(),
        }
    }

    /// Adds a drawn page.
    pub(crate) fn push(&mut self, canvas: Canvas<'_>) {
        self.pages.push((canvas.width, canvas.height, canvas.ops, canvas.qrs));
    }

    /// How many pages it has.
    pub(crate) fn pages(&self) -> usize {
        self.pages.len()
    }

    /// The first page as SVG (fonts embedded), for a preview on screen.
    pub(crate) fn preview(self) -> String {
        let mut doc = self.doc;
        let pages = self.pages.iter().take(1).map(|(w, h, ops, qrs)| page(*w, *h, ops, qrs, false)).collect();
        let doc = doc.with_pages(pages);
        doc.page_to_svg(1, &printpdf::PdfToSvgOptions::default(), &mut Vec::new()).unwrap_or_default()
    }

    /// The PDF: fonts embedded and subset to the glyphs used, streams compressed.
    pub(crate) fn finish(self) -> Vec<u8> {
        let mut doc = self.doc;
        let pages = self.pages.iter().map(|(w, h, ops, qrs)| page(*w, *h, ops, qrs, true)).collect();
        doc.with_pages(pages).save(&printpdf::PdfSaveOptions::default(), &mut Vec::new())
    }
}

fn pt(mm: f32) -> Pt {
    Mm(mm).into_pt()
}

impl Canvas<'_> {
    fn point(&self, x: f32, y: f32) -> Point {
        Point { x: pt(x), y: pt(self.height - y) }
    }

    /// The width of `text` in `style`, mm.
    pub(crate) fn measure(&self, text: &str, style: Style) -> f32 {
        self.fonts.face(style.bold).width_mm(text, style.size)
    }

    /// Writes `text` with its baseline at `y`, aligned on `x` as `align` says.
    pub(crate) fn text(&mut self, x: f32, y: f32, align: Align, style: Style, text: &str) {
        if text.is_empty() {
            return;
        }
        let left = match align {
            Align::Left => x,
            Align::Centre => x - self.measure(text, style) / 2.0,
        };
        let font = if style.bold { self.bold.clone() } else { self.regular.clone() };
        let grey = if style.grey { 0.35 } else { 0.0 };
        let pos = self.point(left, y);
        self.ops.extend([
            Op::SaveGraphicsState,
            Op::SetFillColor { col: Color::Rgb(Rgb::new(grey, grey, grey, None)) },
            Op::StartTextSection,
            Op::SetFont { font: PdfFontHandle::External(font), size: Pt(style.size) },
            Op::SetTextCursor { pos },
            Op::ShowText { items: vec![TextItem::Text(text.to_owned())] },
            Op::EndTextSection,
            Op::RestoreGraphicsState,
        ]);
    }

    /// Lays `text` out in `area`: on one line at the largest size from `max` down to `min` that
    /// fits; else wrapped on as few lines as fit, at the largest size that lets them; a word too
    /// long for a line at `min` is broken. Never wider than the area; the lines are centred
    /// vertically and aligned as `align` says. Returns the size used and the lines.
    pub(crate) fn fit(
        &mut self,
        area: Area,
        align: Align,
        style: Style,
        min: f32,
        text: &str,
    ) -> (f32, Vec<String>) {
        self.fit_shrinking(area, align, style, (min.max(style.size * 0.75), min), text)
    }

    /// As [`Canvas::fit`], but staying on one line down to `one_line` points before wrapping
    /// (a name reads best whole).
    pub(crate) fn fit_shrinking(
        &mut self,
        area: Area,
        align: Align,
        style: Style,
        (one_line, min): (f32, f32),
        text: &str,
    ) -> (f32, Vec<String>) {
        let (size, lines) = self.layout(area, style, (one_line, min), text);
        let style = Style { size, ..style };
        let leading = size * MM_PER_PT * 1.2;
        let block = leading * lines.len() as f32;
        // The first baseline: the block centred in the area, the cap height under its top.
        let mut y = area.y + (area.h - block).max(0.0) / 2.0 + size * MM_PER_PT * 0.95;
        let x = match align {
            Align::Left => area.x,
            Align::Centre => area.x + area.w / 2.0,
        };
        for line in &lines {
            self.text(x, y, align, style, line);
            y += leading;
        }
        (size, lines)
    }

    /// The size and lines [`Canvas::fit`] draws.
    pub(crate) fn layout(
        &self,
        area: Area,
        style: Style,
        (one_line, min): (f32, f32),
        text: &str,
    ) -> (f32, Vec<String>) {
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let mut size = style.size;
        // One line, shrinking down to `one_line`: beyond that, wrapped lines read better than
        // small type.
        while size >= one_line.max(min) {
            let s = Style { size, ..style };
            if self.measure(&text, s) <= area.w && line_height(size) <= area.h {
                return (size, vec![text]);
            }
            size -= 0.5;
        }
        // Wrapped: the largest size whose lines all fit the area's height.
        let mut size = style.size;
        loop {
            let s = Style { size, ..style };
            let lines = self.wrap(&text, area.w, s);
            if line_height(size) * lines.len() as f32 <= area.h || size <= min {
                return (size, lines);
            }
            size = (size - 0.5).max(min);
        }
    }

    /// Breaks `text` into lines no wider than `width` in `style`, between words where it can.
    pub(crate) fn wrap(&self, text: &str, width: f32, style: Style) -> Vec<String> {
        let mut lines: Vec<String> = Vec::new();
        let mut line = String::new();
        for word in text.split_whitespace() {
            let candidate = if line.is_empty() { word.to_owned() } else { format!("{line} {word}") };
            if self.measure(&candidate, style) <= width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            // A word longer than the line is broken where it must be.
            let mut piece = String::new();
            for c in word.chars() {
                piece.push(c);
                if self.measure(&piece, style) > width && piece.chars().count() > 1 {
                    piece.pop();
                    lines.push(std::mem::take(&mut piece));
                    piece.push(c);
                }
            }
            line = piece;
        }
        if !line.is_empty() || lines.is_empty() {
            lines.push(line);
        }
        lines
    }

    /// A straight line from (x1, y1) to (x2, y2), `thickness` points wide.
    pub(crate) fn line(&mut self, (x1, y1): (f32, f32), (x2, y2): (f32, f32), thickness: f32) {
        let points = vec![
            LinePoint { p: self.point(x1, y1), bezier: false },
            LinePoint { p: self.point(x2, y2), bezier: false },
        ];
        self.ops.extend([
            Op::SetOutlineColor { col: Color::Rgb(Rgb::new(0.0, 0.0, 0.0, None)) },
            Op::SetOutlineThickness { pt: Pt(thickness) },
            Op::DrawLine { line: Line { points, is_closed: false } },
        ]);
    }

    /// The outline of `area`, `thickness` points wide.
    pub(crate) fn frame(&mut self, area: Area, thickness: f32) {
        let corners = [
            (area.x, area.y),
            (area.x + area.w, area.y),
            (area.x + area.w, area.y + area.h),
            (area.x, area.y + area.h),
        ];
        let points = corners.iter().map(|&(x, y)| LinePoint { p: self.point(x, y), bezier: false }).collect();
        self.ops.extend([
            Op::SetOutlineColor { col: Color::Rgb(Rgb::new(0.0, 0.0, 0.0, None)) },
            Op::SetOutlineThickness { pt: Pt(thickness) },
            Op::DrawLine { line: Line { points, is_closed: true } },
        ]);
    }

    /// A QR code of `data` as a square of `side` mm with its top-left corner at (x, y), in
    /// vector modules (sharp on any printer), a quiet zone of white around it left to the margin.
    /// Dark modules next to each other in a row are one rectangle, which keeps the page small.
    pub(crate) fn qr(&mut self, x: f32, y: f32, side: f32, data: &str) -> Result<(), crate::PrintError> {
        let code = qrcode::QrCode::with_error_correction_level(data.as_bytes(), qrcode::EcLevel::M)
            .map_err(|e| crate::PrintError::Qr(e.to_string()))?;
        let n = code.width();
        let colors = code.to_colors();
        let mut runs = Vec::new();
        for row in 0..n {
            let mut col = 0;
            while col < n {
                if colors[row * n + col] != qrcode::Color::Dark {
                    col += 1;
                    continue;
                }
                let start = col;
                while col < n && colors[row * n + col] == qrcode::Color::Dark {
                    col += 1;
                }
                runs.push((row as f32, start as f32, (col - start) as f32));
            }
        }
        let origin = self.point(x, y);
        self.qrs.push(QrMark { at: self.ops.len(), origin, module: pt(side / n as f32).0, runs });
        Ok(())
    }
}

/// A QR code placed on a page: where its operations go among the page's, its top-left corner,
/// its module's side (pt), and its dark runs (row, first column, length).
struct QrMark {
    at: usize,
    origin: Point,
    module: f32,
    runs: Vec<(f32, f32, f32)>,
}

impl QrMark {
    /// The operations that draw it. For the PDF, in module units (a matrix maps one unit to one
    /// module, y downwards), so every rectangle is four small integers; for the SVG preview, in
    /// page points, since printpdf's SVG output does not apply the matrix to paths.
    fn ops(&self, compact: bool) -> Vec<Op> {
        let black = Op::SetFillColor { col: Color::Rgb(Rgb::new(0.0, 0.0, 0.0, None)) };
        let rect = |x: f32, y: f32, width: f32, height: f32| Op::DrawRectangle {
            rectangle: Rect {
                x: Pt(x),
                y: Pt(y),
                width: Pt(width),
                height: Pt(height),
                mode: Some(PaintMode::Fill),
                winding_order: Some(WindingOrder::NonZero),
            },
        };
        let (m, o) = (self.module, self.origin);
        let mut ops = vec![Op::SaveGraphicsState];
        if compact {
            ops.push(Op::SetTransformationMatrix {
                matrix: CurTransMat::Raw([m, 0.0, 0.0, -m, o.x.0, o.y.0]),
            });
            ops.push(black);
            ops.extend(self.runs.iter().map(|&(row, start, len)| rect(start, row, len, 1.0)));
        } else {
            ops.push(black);
            ops.extend(
                self.runs
                    .iter()
                    .map(|&(row, start, len)| rect(o.x.0 + start * m, o.y.0 - (row + 1.0) * m, len * m, m)),
            );
        }
        ops.push(Op::RestoreGraphicsState);
        ops
    }
}

/// A page's operations with its QR codes drawn in.
fn page(width: f32, height: f32, ops: &[Op], qrs: &[QrMark], compact: bool) -> PdfPage {
    let mut all = Vec::with_capacity(ops.len());
    let mut from = 0;
    for q in qrs {
        all.extend_from_slice(&ops[from..q.at]);
        all.extend(q.ops(compact));
        from = q.at;
    }
    all.extend_from_slice(&ops[from..]);
    PdfPage::new(Mm(width), Mm(height), all)
}

fn line_height(size: f32) -> f32 {
    size * MM_PER_PT * 1.2
}
