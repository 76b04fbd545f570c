// Draws a text watermark on every page of a PDF with pdf-lib: centred, horizontal, vertical or along
// the page's diagonal, in the requested colour and opacity, with an embedded (subset) TrueType font
// so any script the installed fonts cover comes out right.
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, type PDFFont, StandardFonts, degrees, rgb } from 'pdf-lib';
import { QuireError } from '../domain/errors.ts';
import { fontFor } from './fonts.ts';
import type { TextWatermark } from './watermark.ts';

export const noFontFor = (text: string) =>
  new QuireError('input', 'NoFontForWatermark', `No installed font can draw the watermark text "${text.slice(0, 40)}"`);

export async function addPdfWatermark(pdf: Uint8Array, w: TextWatermark): Promise<Uint8Array> {
  let doc: PDFDocument;
  try {
    doc = await PDFDocument.load(pdf, { updateMetadata: false });
  } catch (e) {
    throw new QuireError('input', 'UnreadablePdf', 'The PDF could not be read (password-protected PDFs cannot be watermarked)', { cause: e });
  }
  doc.registerFontkit(fontkit);
  const fontBytes = await fontFor(w.text, w.fontName);
  let font: PDFFont;
  if (fontBytes) font = await doc.embedFont(fontBytes, { subset: true });
  else if (/^[\x20-\x7e\r\n]*$/.test(w.text)) font = await doc.embedFont(StandardFonts.Helvetica);
  else throw noFontFor(w.text);

  const lines = w.text.split(/\r?\n/);
  const color = rgb(...([1, 3, 5].map((i) => parseInt(w.color.slice(i, i + 2), 16) / 255) as [number, number, number]));
  for (const page of doc.getPages()) {
    const { width: pw, height: ph } = page.getSize();
    const rotation = ((page.getRotation().angle % 360) + 360) % 360;
    // What the reader sees: a page rotated by 90/270 shows its height across.
    const [vw, vh] = rotation === 90 || rotation === 270 ? [ph, pw] : [pw, ph];
    const visualAngle = w.orientation === 'horizontal' ? 0 : w.orientation === 'vertical' ? 90 : (Math.atan2(vh, vw) * 180) / Math.PI;
    const span = w.orientation === 'horizontal' ? vw : w.orientation === 'vertical' ? vh : Math.hypot(vw, vh);
    // The requested size, made smaller when the longest line would not fit on the page.
    const widest = Math.max(...lines.map((l) => font.widthOfTextAtSize(l, w.fontSize)));
    const size = widest > span * 0.9 ? (w.fontSize * span * 0.9) / widest : w.fontSize;
    const lineHeight = size * 1.2;
    // Page space is the visual space turned back by the page's rotation.
    const angle = visualAngle - rotation;
    const a = (angle * Math.PI) / 180;
    const [cos, sin] = [Math.cos(a), Math.sin(a)];
    const [cx, cy] = [pw / 2, ph / 2];
    const ascent = font.heightAtSize(size, { descender: false });
    lines.forEach((line, i) => {
      const tw = font.widthOfTextAtSize(line, size);
      // Offset of this line's baseline start from the block centre, in the text's own axes.
      const dx = -tw / 2;
      const dy = (lines.length / 2 - i - 1) * lineHeight + (lineHeight - ascent) / 2;
      page.drawText(line, {
        x: cx + dx * cos - dy * sin,
        y: cy + dx * sin + dy * cos,
        size,
        font,
        color,
        opacity: w.opacity / 100,
        rotate: degrees(angle),
      });
    });
  }
  return doc.save();
}
