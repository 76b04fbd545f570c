// Page count and page sizes from one `pdfinfo -f 1 -l <huge>` call (~8 ms), which prints every
// page's MediaBox-derived size and /Rotate. Sizes are points as displayed: a page rotated by 90 or
// 270 degrees swaps width and height, matching what pdftoppm/pdftocairo/pdftotext produce.
import { couldNotRender } from './tool-errors.ts';

export interface PageSize { width: number; height: number }
export interface PdfInfo { pageCount: number; pages: PageSize[] }

export function pdfinfoArgs(firstPage = 1, lastPage = 2_147_483_647): string[] {
  return ['-f', String(firstPage), '-l', String(lastPage)];
}

export function parsePdfinfo(out: string): PdfInfo {
  const pagesLine = /^Pages:\s+(\d+)\s*$/m.exec(out);
  if (!pagesLine?.[1]) throw couldNotRender('pdfinfo did not report a page count');
  const pageCount = Number(pagesLine[1]);
  if (pageCount < 1) throw couldNotRender('The document has no pages');
  const sizes = new Map<number, PageSize>();
  const rotations = new Map<number, number>();
  for (const m of out.matchAll(/^Page\s+(\d+)\s+size:\s+([\d.]+) x ([\d.]+) pts/gm)) sizes.set(Number(m[1]), { width: Number(m[2]), height: Number(m[3]) });
  for (const m of out.matchAll(/^Page\s+(\d+)\s+rot:\s+(-?\d+)/gm)) rotations.set(Number(m[1]), Number(m[2]));
  const pages: PageSize[] = [];
  for (let n = 1; n <= pageCount; n++) {
    const size = sizes.get(n);
    if (!size) { pages.push({ width: 612, height: 792 }); continue; } // poppler's own fallback: US Letter
    const rot = (((rotations.get(n) ?? 0) % 360) + 360) % 360;
    pages.push(rot === 90 || rot === 270 ? { width: size.height, height: size.width } : size);
  }
  return { pageCount, pages };
}
