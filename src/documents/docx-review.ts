// Convert's include_changes / include_comments on a DOCX: "none" means the output carries no
// tracked-change markup (the document reads as if every change were accepted) or no comments.
import { type DocxParts, mainPartName, relsNameOf, setText, textOf } from './docx-package.ts';

/** The story parts that can hold tracked changes and comment anchors. */
function storyParts(parts: DocxParts): string[] {
  const main = mainPartName(parts);
  const dir = main.slice(0, main.lastIndexOf('/') + 1);
  const rels = textOf(parts, relsNameOf(main)) ?? '';
  const related = [...rels.matchAll(/<Relationship\b[^>]*>/g)]
    .map((m) => m[0])
    .filter((r) => /\/(header|footer|footnotes|endnotes)"/.test(r) && !/TargetMode="External"/.test(r))
    .map((r) => /Target="([^"]*)"/.exec(r)?.[1])
    .filter((t): t is string => !!t)
    .map((t) => (t.startsWith('/') ? t.slice(1) : dir + t));
  return [main, ...related].filter((name) => parts.has(name));
}

/** Accepts every tracked change: deletions go, insertions stay as plain text, format changes are forgotten. */
export function acceptAllChanges(parts: DocxParts): void {
  for (const name of storyParts(parts)) {
    const xml = textOf(parts, name)!;
    const out = xml
      // Deleted and moved-away content (never nested in itself).
      .replace(/<w:(del|moveFrom)\b[^>]*?\/>/g, '')
      .replace(/<w:(del|moveFrom)\b[^>]*>[\s\S]*?<\/w:\1>/g, '')
      // Inserted and moved-here content stays, without its wrapper.
      .replace(/<w:(ins|moveTo)\b[^>]*?\/>/g, '')
      .replace(/<\/?w:(ins|moveTo)\b[^>]*>/g, '')
      .replace(/<w:(moveFromRangeStart|moveFromRangeEnd|moveToRangeStart|moveToRangeEnd)\b[^>]*\/>/g, '')
      // Records of formatting before a change.
      .replace(/<w:(rPrChange|pPrChange|sectPrChange|tblPrChange|tblGridChange|tcPrChange|trPrChange|numberingChange)\b[^>]*?\/>/g, '')
      .replace(/<w:(rPrChange|pPrChange|sectPrChange|tblPrChange|tblGridChange|tcPrChange|trPrChange|numberingChange)\b[^>]*>[\s\S]*?<\/w:\1>/g, '');
    if (out !== xml) setText(parts, name, out);
  }
  // Keep track changes from switching itself back on in the output.
  const settings = textOf(parts, 'word/settings.xml');
  if (settings) setText(parts, 'word/settings.xml', settings.replace(/<w:trackRevisions\b[^>]*\/>/g, ''));
}

/** Removes comment anchors and the comments themselves. */
export function removeComments(parts: DocxParts): void {
  for (const name of storyParts(parts)) {
    const xml = textOf(parts, name)!;
    const out = xml
      .replace(/<w:(commentRangeStart|commentRangeEnd)\b[^>]*\/>/g, '')
      // The run that carries a comment's reference mark.
      .replace(/<w:r>(?:(?!<\/w:r>)[\s\S])*?<w:commentReference\b[^>]*\/>(?:(?!<w:r[ >])[\s\S])*?<\/w:r>/g, '')
      .replace(/<w:r\b[^>]*>(?:(?!<\/w:r>)[\s\S])*?<w:commentReference\b[^>]*\/>(?:(?!<w:r[ >])[\s\S])*?<\/w:r>/g, '')
      .replace(/<w:commentReference\b[^>]*\/>/g, '');
    if (out !== xml) setText(parts, name, out);
  }
  for (const name of [...parts.keys()]) {
    if (!/^word\/comments(Extended|Ids|Extensible)?\.xml$/.test(name)) continue;
    const xml = textOf(parts, name)!;
    // An empty part of the same kind: its relationship and content type stay valid.
    const root = /<(w\d*:comments\w*|w15:commentsEx|w16cid:commentsIds|w16cex:commentsExtensible)\b[^>]*>/.exec(xml);
    if (root) setText(parts, name, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n${root[0].endsWith('/>') ? root[0] : root[0].replace(/>$/, '/>')}`);
  }
}
