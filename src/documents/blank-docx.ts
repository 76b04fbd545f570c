// A new, empty DOCX shaped by the caller's document_defaults: page size and orientation, margins,
// default font and size, language, and whether track changes starts on.
import { strToU8 } from 'fflate';
import { type DocxParts, escapeXml, writeDocx } from './docx-package.ts';

export interface Margins {
  top?: string;
  left?: string;
  bottom?: string;
  right?: string;
}

export interface DocumentDefaults {
  orientation?: 'portrait' | 'landscape';
  paperSize?: string;
  fontName?: string;
  /** Points. */
  fontSize?: number;
  trackChanges?: 'enabled' | 'disabled';
  language?: string;
  margin?: Margins;
}

/** Paper sizes in twentieths of a point (portrait width × height), by lower-case name. */
export const PAPER_SIZES: Record<string, [number, number]> = {
  letter: [12240, 15840],
  legal: [12240, 20160],
  tabloid: [15840, 24480],
  executive: [10440, 15120],
  a3: [16838, 23811],
  a4: [11906, 16838],
  a5: [8391, 11906],
  a6: [5953, 8391],
  b4: [14170, 20015],
  b5: [9978, 14170],
};

const TWIPS_PER: Record<string, number> = { in: 1440, cm: 1440 / 2.54, mm: 1440 / 25.4, pt: 20, pc: 240, px: 15 };

/** "1in", "2.5cm", "20mm", "72pt" → twips; undefined when it is not such a length. */
export function lengthToTwips(raw: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(in|cm|mm|pt|pc|px)?\s*$/i.exec(raw);
  if (!m) return undefined;
  // A bare number is inches, the unit Writer's own examples use.
  return Math.round(Number(m[1]) * TWIPS_PER[(m[2] ?? 'in').toLowerCase()]!);
}

const W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';
const R = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';

export function blankDocx(d: DocumentDefaults = {}): Buffer {
  const [pw, ph] = PAPER_SIZES[(d.paperSize ?? 'letter').toLowerCase()] ?? PAPER_SIZES.letter!;
  const landscape = d.orientation === 'landscape';
  const [w, h] = landscape ? [ph, pw] : [pw, ph];
  const margin = (v: string | undefined) => (v === undefined ? 1440 : (lengthToTwips(v) ?? 1440));
  const m = d.margin ?? {};
  const font = d.fontName ? escapeXml(d.fontName) : 'Calibri';
  const halfPoints = Math.round((d.fontSize ?? 11) * 2);
  const lang = d.language ? `<w:lang w:val="${escapeXml(d.language)}" w:eastAsia="${escapeXml(d.language)}" w:bidi="${escapeXml(d.language)}"/>` : '';

  const parts: DocxParts = new Map();
  const put = (name: string, xml: string) => parts.set(name, strToU8(XML + xml));
  put(
    '[Content_Types].xml',
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
      '<Default Extension="xml" ContentType="application/xml"/>' +
      '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>' +
      '<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>' +
      '<Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/>' +
      '</Types>',
  );
  put(
    '_rels/.rels',
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
      '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>' +
      '</Relationships>',
  );
  put(
    'word/_rels/document.xml.rels',
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
      '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>' +
      '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/>' +
      '</Relationships>',
  );
  put(
    'word/document.xml',
    `<w:document xmlns:w="${W}" xmlns:r="${R}"><w:body><w:p/>` +
      `<w:sectPr><w:pgSz w:w="${w}" w:h="${h}"${landscape ? ' w:orient="landscape"' : ''}/>` +
      `<w:pgMar w:top="${margin(m.top)}" w:right="${margin(m.right)}" w:bottom="${margin(m.bottom)}" w:left="${margin(m.left)}" w:header="720" w:footer="720" w:gutter="0"/>` +
      '</w:sectPr></w:body></w:document>',
  );
  put(
    'word/styles.xml',
    `<w:styles xmlns:w="${W}"><w:docDefaults><w:rPrDefault><w:rPr>` +
      `<w:rFonts w:ascii="${font}" w:hAnsi="${font}" w:eastAsia="${font}" w:cs="${font}"/>` +
      `<w:sz w:val="${halfPoints}"/><w:szCs w:val="${halfPoints}"/>${lang}` +
      '</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="160" w:line="259" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>' +
      '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>' +
      '</w:styles>',
  );
  put('word/settings.xml', `<w:settings xmlns:w="${W}">${d.trackChanges === 'enabled' ? '<w:trackRevisions/>' : ''}<w:defaultTabStop w:val="720"/><w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat></w:settings>`);
  return writeDocx(parts);
}
