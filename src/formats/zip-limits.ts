// Zip bombs: a package of a few hundred kilobytes whose parts unpack to gigabytes (a document.xml of
// whitespace deflated 1000:1). LibreOffice inflates and parses such a part whole — a 280 KB DOCX
// holding 256 MB of whitespace took 8.7 GB of memory — so packages are judged by their declared
// sizes before anything inflates them (LibreOffice and fflate both refuse data that does not
// match its declared size, so the declaration is what they would unpack).

/** Real parts deflate 5–30×; a bomb of whitespace or repeated markup nears deflate's maximum, ~1000×. */
const MAX_INFLATE_RATIO = 100;
/** Smaller parts are not judged: generated documents repeat themselves (150 pages of one paragraph
 *  deflate 154×), and LibreOffice parses 16 MB of anything in well under a gigabyte. */
const RATIO_GRACE_BYTES = 16 * 1024 * 1024;
/** All parts together; a real document past this is beyond what the engines convert in time anyway. */
export const MAX_UNPACKED_BYTES = 1024 * 1024 * 1024;

export interface ZipEntrySizes {
  name: string;
  compressedSize: number;
  uncompressedSize: number;
}

/** Judges a package entry by entry, keeping only running totals (a directory may declare millions). */
export class InflationCheck {
  private total = 0;
  private worst: string | null = null;

  add(e: ZipEntrySizes): void {
    if (this.worst) return;
    this.total += e.uncompressedSize;
    if (e.uncompressedSize > RATIO_GRACE_BYTES && e.uncompressedSize > MAX_INFLATE_RATIO * Math.max(1, e.compressedSize)) {
      this.worst = `its part ${JSON.stringify(e.name.slice(0, 100))} unpacks ${Math.round(e.uncompressedSize / Math.max(1, e.compressedSize))} times its packed size`;
    }
  }

  /** Why the package would unpack to too much, or null when it is within the limits. */
  problem(): string | null {
    if (this.worst) return this.worst;
    if (this.total > MAX_UNPACKED_BYTES) return `it unpacks to ${this.total} bytes, more than the limit of ${MAX_UNPACKED_BYTES}`;
    return null;
  }
}

/** Why a package would unpack to too much, or null when it is within the limits. */
export function inflationProblem(entries: Iterable<ZipEntrySizes>): string | null {
  const check = new InflationCheck();
  for (const e of entries) check.add(e);
  return check.problem();
}
