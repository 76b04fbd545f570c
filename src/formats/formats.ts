// Every document format Quire knows: its canonical extension, family and MIME type.
// To add a format: add a row here, teach detect.ts to recognise its bytes (or list it as a text
// format that needs FileExtension), and make sure an engine accepts its family.

export type Family = 'word' | 'spreadsheet' | 'presentation' | 'drawing' | 'pdf' | 'image' | 'text' | 'html';

export interface Format {
  extension: string;
  family: Family;
  mime: string;
  /** Text formats cannot be told from their bytes: they need the caller's FileExtension. */
  textual?: boolean;
}

const ooxml = 'application/vnd.openxmlformats-officedocument';
const odf = 'application/vnd.oasis.opendocument';

const table: Format[] = [
  { extension: 'pdf', family: 'pdf', mime: 'application/pdf' },
  { extension: 'doc', family: 'word', mime: 'application/msword' },
  { extension: 'dot', family: 'word', mime: 'application/msword' },
  { extension: 'docx', family: 'word', mime: `${ooxml}.wordprocessingml.document` },
  { extension: 'docm', family: 'word', mime: 'application/vnd.ms-word.document.macroEnabled.12' },
  { extension: 'dotx', family: 'word', mime: `${ooxml}.wordprocessingml.template` },
  { extension: 'dotm', family: 'word', mime: 'application/vnd.ms-word.template.macroEnabled.12' },
  { extension: 'odt', family: 'word', mime: `${odf}.text` },
  { extension: 'ott', family: 'word', mime: `${odf}.text-template` },
  { extension: 'rtf', family: 'word', mime: 'application/rtf' },
  { extension: 'xls', family: 'spreadsheet', mime: 'application/vnd.ms-excel' },
  { extension: 'xlsx', family: 'spreadsheet', mime: `${ooxml}.spreadsheetml.sheet` },
  { extension: 'xlsm', family: 'spreadsheet', mime: 'application/vnd.ms-excel.sheet.macroEnabled.12' },
  { extension: 'xltx', family: 'spreadsheet', mime: `${ooxml}.spreadsheetml.template` },
  { extension: 'ods', family: 'spreadsheet', mime: `${odf}.spreadsheet` },
  { extension: 'ots', family: 'spreadsheet', mime: `${odf}.spreadsheet-template` },
  { extension: 'csv', family: 'spreadsheet', mime: 'text/csv', textual: true },
  { extension: 'tsv', family: 'spreadsheet', mime: 'text/tab-separated-values', textual: true },
  { extension: 'ppt', family: 'presentation', mime: 'application/vnd.ms-powerpoint' },
  { extension: 'pptx', family: 'presentation', mime: `${ooxml}.presentationml.presentation` },
  { extension: 'pptm', family: 'presentation', mime: 'application/vnd.ms-powerpoint.presentation.macroEnabled.12' },
  { extension: 'ppsx', family: 'presentation', mime: `${ooxml}.presentationml.slideshow` },
  { extension: 'potx', family: 'presentation', mime: `${ooxml}.presentationml.template` },
  { extension: 'odp', family: 'presentation', mime: `${odf}.presentation` },
  { extension: 'otp', family: 'presentation', mime: `${odf}.presentation-template` },
  { extension: 'odg', family: 'drawing', mime: `${odf}.graphics` },
  { extension: 'txt', family: 'text', mime: 'text/plain', textual: true },
  { extension: 'html', family: 'html', mime: 'text/html', textual: true },
  { extension: 'htm', family: 'html', mime: 'text/html', textual: true },
  { extension: 'xhtml', family: 'html', mime: 'application/xhtml+xml', textual: true },
  { extension: 'png', family: 'image', mime: 'image/png' },
  { extension: 'jpg', family: 'image', mime: 'image/jpeg' },
  { extension: 'jpeg', family: 'image', mime: 'image/jpeg' },
  { extension: 'gif', family: 'image', mime: 'image/gif' },
  { extension: 'bmp', family: 'image', mime: 'image/bmp' },
  { extension: 'webp', family: 'image', mime: 'image/webp' },
  { extension: 'tif', family: 'image', mime: 'image/tiff' },
  { extension: 'tiff', family: 'image', mime: 'image/tiff' },
];

const byExtension = new Map(table.map((f) => [f.extension, f]));

export function formatOf(extension: string): Format | undefined {
  return byExtension.get(extension.toLowerCase());
}

export function mimeOf(extension: string): string {
  return formatOf(extension)?.mime ?? 'application/octet-stream';
}

/** Formats a comparison session accepts (the vendor: doc and docx; Quire also odt and rtf). */
export function isComparable(extension: string): boolean {
  return ['doc', 'docx', 'docm', 'dotx', 'odt', 'rtf'].includes(extension);
}

/** FileExtension as the vendor takes it: letters and digits, no leading period, any case. */
export function parseFileExtension(raw: string | undefined): { ok: true; value: string | undefined } | { ok: false; reason: string } {
  if (raw === undefined || raw === '') return { ok: true, value: undefined };
  if (raw.startsWith('.')) return { ok: false, reason: 'FileExtension must not start with a period (use "csv", not ".csv")' };
  if (!/^[A-Za-z0-9]{1,16}$/.test(raw)) return { ok: false, reason: 'FileExtension must be 1 to 16 letters or digits' };
  return { ok: true, value: raw.toLowerCase() };
}
