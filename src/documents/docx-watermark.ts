// Inserts a Word watermark into a DOCX the way Word itself writes one: a VML WordArt shape
// (shapetype 136, "PowerPlusWaterMarkObject") anchored in the section headers, centred on the margin
// box, behind the text. Existing headers get the shape in their first paragraph; sections that show
// no header get a new one, so every page carries the mark.
import { type DocxParts, addOverride, addRelationship, escapeXml, mainPartName, relsNameOf, setText, textOf } from './docx-package.ts';
import { type TextWatermark, estimatedEms } from './watermark.ts';

const NS = {
  w: 'http://schemas.openxmlformats.org/wordprocessingml/2006/main',
  r: 'http://schemas.openxmlformats.org/officeDocument/2006/relationships',
  v: 'urn:schemas-microsoft-com:vml',
  o: 'urn:schemas-microsoft-com:office:office',
  w10: 'urn:schemas-microsoft-com:office:word',
};
const HEADER_REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/header';
const HEADER_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml';

/** The shape type Word declares for text watermarks (WordArt "plain text"). */
const SHAPETYPE =
  '<v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800" path="m@7,l@8,m@5,21600l@6,21600e">' +
  '<v:formulas><v:f eqn="sum #0 0 10800"/><v:f eqn="prod #0 2 1"/><v:f eqn="sum 21600 0 @1"/><v:f eqn="sum 0 0 @2"/>' +
  '<v:f eqn="sum 21600 0 @3"/><v:f eqn="if @0 @3 0"/><v:f eqn="if @0 21600 @1"/><v:f eqn="if @0 0 @2"/>' +
  '<v:f eqn="if @0 @4 21600"/><v:f eqn="mid @5 @6"/><v:f eqn="mid @8 @5"/><v:f eqn="mid @7 @8"/><v:f eqn="mid @6 @7"/>' +
  '<v:f eqn="sum @6 0 @5"/></v:formulas>' +
  '<v:path textpathok="t" o:connecttype="custom" o:connectlocs="@9,0;@10,10800;@11,21600;@12,10800" o:connectangles="270,180,90,0"/>' +
  '<v:textpath on="t" fitshape="t"/><v:handles><v:h position="#0,bottomRight" xrange="6629,14971"/></v:handles>' +
  '<o:lock v:ext="edit" text="t" shapetype="t"/></v:shapetype>';

const ROTATION: Record<TextWatermark['orientation'], string> = { diagonal: 'rotation:315;', horizontal: '', vertical: 'rotation:270;' };

/** The run holding the watermark shape; `n` keeps shape ids unique within the package. */
function watermarkRun(w: TextWatermark, n: number): string {
  const lines = w.text.split(/\r?\n/);
  const width = Math.max(...lines.map(estimatedEms)) * w.fontSize;
  const height = lines.length * w.fontSize * 1.2;
  const style =
    `position:absolute;margin-left:0;margin-top:0;width:${width.toFixed(1)}pt;height:${height.toFixed(1)}pt;${ROTATION[w.orientation]}` +
    'z-index:-251654144;mso-wrap-edited:f;mso-position-horizontal:center;mso-position-horizontal-relative:margin;' +
    'mso-position-vertical:center;mso-position-vertical-relative:margin';
  const opacity = (w.opacity / 100).toFixed(2).replace(/^0(?=\.)/, '');
  return (
    '<w:r><w:rPr><w:noProof/></w:rPr><w:pict>' +
    SHAPETYPE +
    `<v:shape id="PowerPlusWaterMarkObject${1000 + n}" o:spid="_x0000_s${2049 + n}" type="#_x0000_t136" style="${style}" o:allowincell="f" fillcolor="${w.color}" stroked="f">` +
    `<v:fill opacity="${opacity}"/>` +
    `<v:textpath style="font-family:&quot;${escapeXml(w.fontName)}&quot;;font-size:${w.fontSize}pt" string="${escapeXml(w.text).replace(/\r?\n/g, '&#10;')}"/>` +
    '<w10:wrap anchorx="margin" anchory="margin"/></v:shape></w:pict></w:r>'
  );
}

/** Declares on a part's root element the namespaces the shape uses, where missing. */
function withNamespaces(xml: string, rootTag: string, prefixes: (keyof typeof NS)[]): string {
  const m = new RegExp(`<${rootTag}\\b[^>]*>`).exec(xml);
  if (!m) return xml;
  let start = m[0];
  for (const p of prefixes) {
    if (!new RegExp(`\\sxmlns:${p}=`).test(start)) start = start.replace(/\s*(\/?)>$/, ` xmlns:${p}="${NS[p]}"$1>`);
  }
  return xml.slice(0, m.index) + start + xml.slice(m.index + m[0].length);
}

/** Puts the run into the header's first paragraph (after its properties), or a new paragraph. */
function addToHeader(xml: string, run: string): string {
  xml = withNamespaces(xml, 'w:hdr', ['w', 'v', 'o', 'w10']);
  const p = /<w:p\b[^>]*?(\/>|>)/.exec(xml);
  if (!p) return xml.replace(/<\/w:hdr>\s*$/, `<w:p><w:pPr><w:pStyle w:val="Header"/></w:pPr>${run}</w:p></w:hdr>`);
  const at = p.index + p[0].length;
  if (p[1] === '/>') return `${xml.slice(0, p.index)}<w:p>${run}</w:p>${xml.slice(at)}`;
  const rest = xml.slice(at);
  const pPr = /^\s*<w:pPr\b[\s\S]*?<\/w:pPr>|^\s*<w:pPr\b[^>]*\/>/.exec(rest);
  const insertAt = at + (pPr ? pPr[0].length : 0);
  return xml.slice(0, insertAt) + run + xml.slice(insertAt);
}

function newHeader(run: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    `<w:hdr xmlns:w="${NS.w}" xmlns:r="${NS.r}" xmlns:v="${NS.v}" xmlns:o="${NS.o}" xmlns:w10="${NS.w10}">` +
    `<w:p><w:pPr><w:pStyle w:val="Header"/></w:pPr>${run}</w:p></w:hdr>`
  );
}

type HeaderKind = 'default' | 'first' | 'even';

export function addDocxWatermark(parts: DocxParts, w: TextWatermark): void {
  const main = mainPartName(parts);
  const dir = main.slice(0, main.lastIndexOf('/') + 1);
  const relsName = relsNameOf(main);
  const rels = textOf(parts, relsName) ?? '';
  const targets = new Map<string, string>();
  for (const m of rels.matchAll(/<Relationship\b[^>]*>/g)) {
    const id = /\bId="([^"]*)"/.exec(m[0])?.[1];
    const target = /\bTarget="([^"]*)"/.exec(m[0])?.[1];
    if (id && target && m[0].includes(HEADER_REL)) targets.set(id, target.startsWith('/') ? target.slice(1) : dir + target);
  }
  let n = 0;
  // Every existing header gets the mark.
  for (const name of new Set(targets.values())) {
    const xml = textOf(parts, name);
    if (xml) setText(parts, name, addToHeader(xml, watermarkRun(w, n++)));
  }

  let doc = withNamespaces(textOf(parts, main)!, 'w:document', ['r']);
  const evenAndOdd = /<w:evenAndOddHeaders\b(?![^>]*w:val="(false|0|off)")[^>]*\/>/.test(textOf(parts, 'word/settings.xml') ?? '');
  // A section without a header of a kind shows the previous section's: only the sections before the
  // first one that has that kind need a header of their own.
  const seen: Record<HeaderKind, boolean> = { default: false, first: false, even: false };
  let out = '';
  let last = 0;
  // Word always writes a body-level sectPr; a document without one still gets a section to hang the header on.
  if (!/<w:sectPr\b/.test(doc)) doc = doc.replace(/<\/w:body>/, '<w:sectPr/></w:body>');
  for (const m of doc.matchAll(/<w:sectPr\b[^>]*>/g)) {
    const open = m[0];
    const start = m.index;
    const selfClosing = open.endsWith('/>');
    const close = selfClosing ? -1 : doc.indexOf('</w:sectPr>', start);
    if (!selfClosing && close < 0) continue;
    const end = selfClosing ? start + open.length : close + '</w:sectPr>'.length;
    const body = selfClosing ? '' : doc.slice(start + open.length, close);
    const has = (kind: HeaderKind) => new RegExp(`<w:headerReference\\b[^>]*w:type="${kind}"`).test(body);
    const wanted: HeaderKind[] = ['default'];
    if (/<w:titlePg\b(?![^>]*w:val="(false|0|off)")[^>]*\/>/.test(body)) wanted.push('first');
    if (evenAndOdd) wanted.push('even');
    let refs = '';
    for (const kind of ['default', 'first', 'even'] as HeaderKind[]) {
      if (has(kind)) seen[kind] = true;
      else if (wanted.includes(kind) && !seen[kind]) {
        let i = 1;
        while (parts.has(`${dir}header${i}.xml`)) i++;
        const name = `${dir}header${i}.xml`;
        setText(parts, name, newHeader(watermarkRun(w, n++)));
        addOverride(parts, name, HEADER_TYPE);
        const id = addRelationship(parts, relsName, HEADER_REL, name.slice(dir.length));
        refs += `<w:headerReference w:type="${kind}" r:id="${id}"/>`;
        seen[kind] = true;
      }
    }
    if (!refs) continue;
    const tag = selfClosing ? open.replace(/\s*\/>$/, '>') : open;
    out += doc.slice(last, start) + tag + refs + body + '</w:sectPr>';
    last = end;
  }
  doc = out + doc.slice(last);
  setText(parts, main, doc);
}
