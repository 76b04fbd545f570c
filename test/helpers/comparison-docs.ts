// Word documents for the comparison tests and bench, written as minimal OOXML (styles, a numbered
// list, a header and footer, tables), so each pair differs in exactly the edits the test names.
import { writeFileSync } from 'node:fs';
import { strToU8, zipSync } from 'fflate';

export type Run = string | { text: string; bold?: boolean };
export type Block =
  | { p: Run[]; list?: boolean; heading?: boolean; pageBreakBefore?: boolean; align?: 'center' | 'right' }
  | { table: string[][] };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';
const DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';

const run = (r: Run) => {
  const { text, bold } = typeof r === 'string' ? { text: r, bold: false } : r;
  return `<w:r>${bold ? '<w:rPr><w:b/></w:rPr>' : ''}<w:t xml:space="preserve">${esc(text)}</w:t></w:r>`;
};

function block(b: Block): string {
  if ('table' in b) {
    // As many grid columns as the widest row has cells (Word's grid; LibreOffice drops cells past it).
    const cols = Math.max(1, ...b.table.map((r) => r.length));
    const grid = `<w:tblGrid>${'<w:gridCol w:w="3000"/>'.repeat(cols)}</w:tblGrid>`;
    const rows = b.table.map((r) => `<w:tr>${r.map((c) => `<w:tc><w:tcPr><w:tcW w:w="3000" w:type="dxa"/></w:tcPr><w:p>${run(c)}</w:p></w:tc>`).join('')}</w:tr>`);
    return `<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="0" w:type="auto"/></w:tblPr>${grid}${rows.join('')}</w:tbl>`;
  }
  const ppr = [
    b.heading ? '<w:pStyle w:val="Heading1"/>' : b.list ? '<w:pStyle w:val="ListParagraph"/>' : '',
    b.pageBreakBefore ? '<w:pageBreakBefore/>' : '',
    b.list ? '<w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>' : '',
    b.align ? `<w:jc w:val="${b.align}"/>` : '',
  ].join('');
  return `<w:p>${ppr ? `<w:pPr>${ppr}</w:pPr>` : ''}${b.p.map(run).join('')}</w:p>`;
}

const STYLES = `${DECL}<w:styles ${W}>
<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Liberation Serif" w:hAnsi="Liberation Serif"/><w:sz w:val="22"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="120"/></w:pPr></w:pPrDefault></w:docDefaults>
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:pPr><w:keepNext/><w:spacing w:before="240"/></w:pPr><w:rPr><w:b/><w:sz w:val="32"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="ListParagraph"><w:name w:val="List Paragraph"/><w:basedOn w:val="Normal"/><w:pPr><w:ind w:left="720"/></w:pPr></w:style>
<w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/><w:tblPr><w:tblBorders><w:top w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:left w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:bottom w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:right w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:insideH w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:insideV w:val="single" w:sz="4" w:space="0" w:color="000000"/></w:tblBorders></w:tblPr></w:style>
</w:styles>`;

const NUMBERING = `${DECL}<w:numbering ${W}><w:abstractNum w:abstractNumId="0"><w:multiLevelType w:val="singleLevel"/><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/><w:lvlJc w:val="left"/><w:pPr><w:ind w:left="720" w:hanging="360"/></w:pPr></w:lvl></w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>`;

export interface DocOptions {
  header?: string;
  footer?: string;
}

export function docxBytes(blocks: Block[], opts: DocOptions = {}): Uint8Array {
  const header = opts.header ?? 'Quire comparison test';
  const footer = opts.footer ?? 'Confidential';
  const body = blocks.map(block).join('');
  const sect = `<w:sectPr><w:headerReference w:type="default" r:id="rIdH"/><w:footerReference w:type="default" r:id="rIdF"/><w:pgSz w:w="12240" w:h="15840"/><w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440" w:header="720" w:footer="720" w:gutter="0"/></w:sectPr>`;
  const ct = (part: string, type: string) => `<Override PartName="/word/${part}" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.${type}+xml"/>`;
  const rel = (id: string, type: string, target: string) => `<Relationship Id="${id}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/${type}" Target="${target}"/>`;
  const files: Record<string, string> = {
    '[Content_Types].xml': `${DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>${ct('document.xml', 'document.main')}${ct('styles.xml', 'styles')}${ct('numbering.xml', 'numbering')}${ct('header1.xml', 'header')}${ct('footer1.xml', 'footer')}</Types>`,
    '_rels/.rels': `${DECL}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`,
    'word/_rels/document.xml.rels': `${DECL}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${rel('rIdS', 'styles', 'styles.xml')}${rel('rIdN', 'numbering', 'numbering.xml')}${rel('rIdH', 'header', 'header1.xml')}${rel('rIdF', 'footer', 'footer1.xml')}</Relationships>`,
    'word/styles.xml': STYLES,
    'word/numbering.xml': NUMBERING,
    'word/header1.xml': `${DECL}<w:hdr ${W}><w:p><w:pPr><w:jc w:val="right"/></w:pPr>${run(header)}</w:p></w:hdr>`,
    'word/footer1.xml': `${DECL}<w:ftr ${W}><w:p><w:pPr><w:jc w:val="center"/></w:pPr>${run(footer)}</w:p></w:ftr>`,
    'word/document.xml': `${DECL}<w:document ${W}><w:body>${body}${sect}</w:body></w:document>`,
  };
  return zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, strToU8(v)])));
}

export function writeDocx(path: string, blocks: Block[], opts?: DocOptions): string {
  writeFileSync(path, docxBytes(blocks, opts));
  return path;
}

// ---- the known-edits pair ----

const filler = (i: number) =>
  `Paragraph ${i} describes how the parties exchange documents, review every page with care and keep a record of each version they agree on.`;

export interface ExpectedChange {
  type: string;
  text?: string;
  originalText?: string;
  pageIndex: number;
}

/** One document and a revision of it with seven known edits, one per kind the issue names, over two pages. */
export function knownEditsPair(): { original: Block[]; revised: Block[]; expected: ExpectedChange[] } {
  const doc = (v: boolean): Block[] => {
    const b: Block[] = [];
    b.push({ p: ['Service agreement'], heading: true });
    b.push({ p: [v ? 'The quick brown fox jumps over the very lazy dog.' : 'The quick brown fox jumps over the lazy dog.'] });
    b.push({ p: [v ? 'The first sentence stays here.' : 'The first sentence stays here. The second sentence will be removed.'] });
    b.push({ p: [v ? 'The price is twelve dollars per unit.' : 'The price is ten dollars per unit.'] });
    if (!v) b.push({ p: ['This paragraph will move to the second page of the agreement.'] });
    for (let i = 0; i < 4; i++) b.push({ p: [filler(i)] });
    b.push({ table: [['Item', 'Quantity'], ['Apples', v ? '7' : '5'], ['Pears', '3']] });
    b.push({ p: ['Second page'], heading: true, pageBreakBefore: true });
    b.push({ p: v ? ['Please read the terms ', { text: 'carefully', bold: true }, ' before signing.'] : ['Please read the terms carefully before signing.'] });
    b.push({ p: ['Deliverables:'] });
    b.push({ p: ['Alpha deliverable'], list: true });
    b.push({ p: ['Beta deliverable'], list: true });
    if (v) b.push({ p: ['Gamma deliverable'], list: true });
    for (let i = 4; i < 6; i++) b.push({ p: [filler(i)] });
    if (v) b.push({ p: ['This paragraph will move to the second page of the agreement.'] });
    b.push({ p: ['Signed by both parties.'] });
    return b;
  };
  return {
    original: doc(false),
    revised: doc(true),
    expected: [
      { type: 'ContentInserted', text: 'very ', pageIndex: 0 },
      { type: 'ContentDeleted', text: ' The second sentence will be removed.', pageIndex: 0 },
      { type: 'ContentReplaced', text: 'twelve', originalText: 'ten', pageIndex: 0 },
      { type: 'ContentMovedFrom', text: 'This paragraph will move to the second page of the agreement.', pageIndex: 0 },
      { type: 'ContentReplaced', text: '7', originalText: '5', pageIndex: 0 },
      { type: 'PropertyChanged', text: 'carefully', pageIndex: 1 },
      { type: 'ContentInserted', text: 'Gamma deliverable', pageIndex: 1 },
      { type: 'ContentMovedTo', text: 'This paragraph will move to the second page of the agreement.', pageIndex: 1 },
    ],
  };
}

// ---- long pairs for the bench ----

const WORDS = 'system document page viewer server render change table list header footer section clause party agreement term notice payment delivery schedule'.split(' ');
function sentence(seed: number, n: number): string {
  const s = Array.from({ length: n }, (_, i) => WORDS[(seed * 7 + i * 13 + (seed >> 2)) % WORDS.length]!);
  return s.join(' ').replace(/^./, (c) => c.toUpperCase()) + '.';
}

/** About `pages` pages of numbered paragraphs (11 a page), the revision differing in `differences` spread-out places. */
export function pagedPair(pages: number, differences: number): { original: Block[]; revised: Block[] } {
  const make = (v: boolean): Block[] => {
    const blocks: Block[] = [];
    const count = pages * 11;
    const step = Math.floor(count / differences);
    for (let i = 0; i < count; i++) {
      let text = `${i}. ${[sentence(i, 12), sentence(i + 1, 10), sentence(i + 2, 14), sentence(i + 3, 9)].join(' ')}`;
      const edit = i % step === 0 && i / step < differences ? (i / step) % 4 : -1;
      if (v && edit === 0) text = text.replace('. ', '. Inserted words here. ');
      if (v && edit === 1) text = text.replace(/^(\d+\. )\S+/, '$1Replaced');
      if (v && edit === 3) text = text.slice(0, text.lastIndexOf('.', text.length - 2) + 1);
      blocks.push({ p: edit === 2 && v ? [{ text, bold: true }] : [text] });
    }
    return blocks;
  };
  return { original: make(false), revised: make(true) };
}

// ---- paragraph properties and table cells ----

export interface LayoutChange extends ExpectedChange {
  /** Where the change's first line sits: aligned left (at the margin), centred or right (at the margin). */
  align?: 'left' | 'center' | 'right';
}

/**
 * A revision that keeps every word but changes layout: a paragraph centred (page 1) and one right
 * aligned (page 2), a paragraph made a heading, table rows that gain a cell and lose one.
 */
export function layoutEditsPair(): { original: Block[]; revised: Block[]; expected: LayoutChange[] } {
  const doc = (v: boolean): Block[] => [
    { p: ['Layout agreement'], heading: true },
    { p: ['This opening paragraph keeps its words but changes its alignment.'], ...(v ? { align: 'center' as const } : {}) },
    { p: ['A plain paragraph that becomes a heading.'], ...(v ? { heading: true } : {}) },
    ...[0, 1, 2].map((i) => ({ p: [filler(i)] })),
    { table: v ? [['Name', 'Role'], ['Ada', 'Engineer', '2019'], ['Grace', 'Admiral']] : [['Name', 'Role'], ['Ada', 'Engineer'], ['Grace', 'Admiral']] },
    { p: ['Second page'], heading: true, pageBreakBefore: true },
    { p: ['This closing paragraph is right aligned in the revision.'], ...(v ? { align: 'right' as const } : {}) },
    { table: v ? [['Alpha', 'One'], ['Beta']] : [['Alpha', 'One'], ['Beta', 'Two']] },
    { p: ['Signed by both parties.'] },
  ];
  return {
    original: doc(false),
    revised: doc(true),
    expected: [
      { type: 'ParagraphPropertyChanged', text: 'This opening paragraph keeps its words but changes its alignment.', pageIndex: 0, align: 'center' },
      { type: 'StyleChanged', text: 'A plain paragraph that becomes a heading.', pageIndex: 0, align: 'left' },
      { type: 'TableCellInserted', text: 'Ada\nEngineer\n2019', originalText: 'Ada\nEngineer', pageIndex: 0, align: 'left' },
      { type: 'ParagraphPropertyChanged', text: 'This closing paragraph is right aligned in the revision.', pageIndex: 1, align: 'right' },
      { type: 'TableCellDeleted', text: 'Beta', originalText: 'Beta\nTwo', pageIndex: 1, align: 'left' },
    ],
  };
}
