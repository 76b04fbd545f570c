// The `pages` of a content conversion source: "1,3,5-10", 1-based and inclusive, in the caller's
// order (repeats allowed); empty means every page. Syntax is checked when the conversion is asked
// for, page numbers against the document once it is known.
import { QuireError, invalidInput } from '../domain/errors.ts';

export interface PageRange {
  first: number;
  last: number;
}

const TOKEN = /^(\d{1,9})(?:\s*-\s*(\d{1,9}))?$/;

export const invalidPageSyntax = (at: string, message: string, expected?: unknown) =>
  new QuireError('input', 'InvalidPageSyntax', message, { details: { in: 'body', at, message, ...(expected === undefined ? {} : { expected }) } });

/** Parses the page list; an empty (or absent) list is undefined: all pages. */
export function parsePageRanges(raw: string | undefined, at: string): PageRange[] | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  return raw.split(',').map((part) => {
    const m = TOKEN.exec(part.trim());
    const first = Number(m?.[1]);
    const last = m?.[2] === undefined ? first : Number(m[2]);
    if (!m || first < 1 || last < first) {
      throw invalidPageSyntax(at, `"${part.trim()}" is not a page number or range: use 1-based numbers and ranges separated by commas, like "1,3,5-10"`, '1,3,5-10');
    }
    return { first, last };
  });
}

/** 0-based page indexes the ranges select from a document of `pageCount` pages; more than `limit` is refused. */
export function selectPages(ranges: PageRange[] | undefined, pageCount: number, at: string, limit: number): number[] {
  const tooMany = () => invalidInput(at, { maximum: limit }, 'body', `More than ${limit} pages selected`);
  if (!ranges) {
    if (pageCount > limit) throw tooMany();
    return Array.from({ length: pageCount }, (_, i) => i);
  }
  const out: number[] = [];
  for (const r of ranges) {
    if (r.last > pageCount) {
      throw invalidPageSyntax(at, `Page ${r.last} does not exist: the document has ${pageCount} page${pageCount === 1 ? '' : 's'}`, { minimum: 1, maximum: pageCount });
    }
    // Checked before expanding, so "1-1000,1-1000,..." cannot build a huge list.
    if (out.length + r.last - r.first + 1 > limit) throw tooMany();
    for (let p = r.first; p <= r.last; p++) out.push(p - 1);
  }
  return out;
}

/** 0-based indexes back to the 1-based list form, consecutive runs folded: [0,1,2,5] → "1-3,6". */
export function formatPages(indexes: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < indexes.length; ) {
    let j = i;
    while (j + 1 < indexes.length && indexes[j + 1] === indexes[j]! + 1) j++;
    out.push(i === j ? String(indexes[i]! + 1) : `${indexes[i]! + 1}-${indexes[j]! + 1}`);
    i = j + 1;
  }
  return out.join(',');
}
