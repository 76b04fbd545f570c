// Inputs may carry tracked changes of their own. The comparison is between what each document says
// once those are accepted (as Word's Compare does by default), so accept them first, in place.
import { isEl, type XmlElement, type XmlNode } from './xml.ts';

const DROP = new Set([
  'w:del', 'w:moveFrom', 'w:rPrChange', 'w:pPrChange', 'w:sectPrChange', 'w:tblPrChange', 'w:trPrChange', 'w:tcPrChange',
  'w:tblGridChange', 'w:tblPrExChange', 'w:numberingChange', 'w:moveFromRangeStart', 'w:moveFromRangeEnd', 'w:moveToRangeStart',
  'w:moveToRangeEnd', 'w:customXmlInsRangeStart', 'w:customXmlInsRangeEnd', 'w:customXmlDelRangeStart', 'w:customXmlDelRangeEnd',
  'w:customXmlMoveFromRangeStart', 'w:customXmlMoveFromRangeEnd', 'w:customXmlMoveToRangeStart', 'w:customXmlMoveToRangeEnd',
  'w:cellIns', 'w:cellDel', 'w:cellMerge',
]);
const UNWRAP = new Set(['w:ins', 'w:moveTo']);
const MARKS = new Set(['w:ins', 'w:del', 'w:moveFrom', 'w:moveTo']);

export function acceptRevisions(e: XmlElement): void {
  const out: XmlNode[] = [];
  // Inside w:rPr (of a paragraph mark or a run) and w:trPr, ins/del are markers, not content.
  const inProperties = e.name === 'w:rPr' || e.name === 'w:trPr';
  const deletedMark = new Set<XmlElement>();
  for (const c of e.children) {
    if (!isEl(c)) {
      out.push(c);
      continue;
    }
    if (inProperties && MARKS.has(c.name)) continue;
    // A deleted table row goes with its content.
    if (c.name === 'w:tr' && hasMark(c, 'w:trPr', 'w:del')) continue;
    if (DROP.has(c.name)) continue;
    if (c.name === 'w:p' && hasMark(c, 'w:pPr', 'w:del')) deletedMark.add(c);
    acceptRevisions(c);
    if (UNWRAP.has(c.name)) out.push(...c.children);
    else out.push(c);
  }
  e.children = deletedMark.size > 0 ? mergeDeletedParagraphMarks(out, deletedMark) : out;
}

/** A paragraph whose mark was deleted runs on into the next paragraph. */
function mergeDeletedParagraphMarks(nodes: XmlNode[], deletedMark: ReadonlySet<XmlElement>): XmlNode[] {
  const out: XmlNode[] = [];
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    if (isEl(n) && n.name === 'w:p' && deletedMark.has(n)) {
      const next = nodes.slice(i + 1).find((x): x is XmlElement => isEl(x));
      if (next?.name === 'w:p') {
        const content = n.children.filter((c) => !(isEl(c) && c.name === 'w:pPr'));
        const at = next.children.findIndex((c) => isEl(c) && c.name === 'w:pPr') + 1;
        next.children.splice(at, 0, ...content);
        continue;
      }
    }
    out.push(n);
  }
  return out;
}

function hasMark(e: XmlElement, propsName: string, mark: string): boolean {
  const props = e.children.find((c): c is XmlElement => isEl(c) && c.name === propsName);
  const holder = propsName === 'w:pPr' ? props?.children.find((c): c is XmlElement => isEl(c) && c.name === 'w:rPr') : props;
  return holder?.children.some((c) => isEl(c) && (c.name === mark || (mark === 'w:del' && c.name === 'w:moveFrom'))) ?? false;
}
