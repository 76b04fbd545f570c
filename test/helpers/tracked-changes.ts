// Reads a tracked-changes DOCX independently of the code under test: the text after accepting or
// rejecting every change.
import { strFromU8, unzipSync } from 'fflate';
import { parseXml, isEl, type XmlElement, type XmlNode } from '../../src/comparison/xml.ts';

export const mainXml = (docx: Uint8Array) => parseXml(strFromU8(unzipSync(docx, { filter: (f) => f.name === 'word/document.xml' })['word/document.xml']!)).root;
export const hasChild = (e: XmlElement | undefined, names: string[]) => e?.children.some((c) => isEl(c) && names.includes(c.name)) ?? false;
export const find = (e: XmlElement, name: string) => e.children.find((c): c is XmlElement => isEl(c) && c.name === name);

/**
 * The paragraphs' text after accepting or rejecting every tracked change: content inside w:ins /
 * w:moveTo (or w:del / w:moveFrom) goes, a paragraph whose mark goes runs into the next one, a row
 * marked inserted (or deleted) goes. Empty paragraphs are left out.
 *
 * With `structure`, layout survives too: each paragraph's text is prefixed with its resolved style
 * and alignment (`[Heading1@center] …`; w:pPrChange holds the properties rejecting gives back), and
 * each table row that stays adds an entry `row: N cells` before its cells' paragraphs.
 */
export function resolvedText(docx: Uint8Array, mode: 'accept' | 'reject', opts: { structure?: boolean } = {}): string[] {
  const goes = mode === 'accept' ? ['w:del', 'w:moveFrom'] : ['w:ins', 'w:moveTo'];
  const paragraphs: string[] = [];
  let carry = '';
  const inline = (n: XmlNode): string => {
    if (!isEl(n)) return '';
    if (goes.includes(n.name)) return '';
    if (n.name === 'w:t' || (n.name === 'w:delText' && mode === 'reject')) return n.children.join('');
    if (n.name === 'w:tab') return ' ';
    if (n.name === 'w:pPr' || n.name === 'w:rPr' || n.name === 'w:instrText') return '';
    return n.children.map(inline).join('');
  };
  const block = (e: XmlElement) => {
    if (e.name === 'w:p') {
      const text = carry + e.children.map(inline).join('');
      const markGoes = hasChild(find(find(e, 'w:pPr') ?? e, 'w:rPr'), mode === 'accept' ? ['w:del', 'w:moveFrom'] : ['w:ins', 'w:moveTo']);
      if (markGoes) carry = text;
      else {
        // The surviving mark's properties are the merged paragraph's.
        paragraphs.push(opts.structure && text.trim() !== '' ? `${layoutOf(e, mode)}${text}` : text);
        carry = '';
      }
    } else if (e.name === 'w:tr') {
      if (hasChild(find(e, 'w:trPr'), mode === 'accept' ? ['w:del'] : ['w:ins'])) return;
      if (opts.structure) paragraphs.push(`row: ${e.children.filter((c) => isEl(c) && c.name === 'w:tc').length} cells`);
      for (const c of e.children) if (isEl(c)) block(c);
    } else {
      for (const c of e.children) if (isEl(c) && c.name !== 'w:sectPr') block(c);
    }
  };
  block(find(mainXml(docx), 'w:body')!);
  if (carry) paragraphs.push(carry);
  return paragraphs.map((p) => p.replace(/\s+/g, ' ').trim()).filter(Boolean);
}


/** `[style@alignment] ` of a paragraph after accepting or rejecting its property change; '' when it has neither. */
function layoutOf(p: XmlElement, mode: 'accept' | 'reject'): string {
  let pPr = find(p, 'w:pPr');
  const change = pPr && find(pPr, 'w:pPrChange');
  if (mode === 'reject' && change) pPr = find(change, 'w:pPr');
  const val = (name: string) => (pPr && find(pPr, name)?.attrs['w:val']) ?? '';
  const style = val('w:pStyle');
  // Word writes left/right or start/end; "left" is also what no w:jc means.
  const jc = ({ start: 'left', end: 'right', both: 'both' } as Record<string, string>)[val('w:jc')] ?? val('w:jc');
  const align = jc === 'left' ? '' : jc;
  return style || align ? `[${style}${align ? `@${align}` : ''}] ` : '';
}
