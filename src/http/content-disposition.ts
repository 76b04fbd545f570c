// Content-Disposition for downloads: an ASCII `filename` every client understands plus the exact
// name as RFC 5987 `filename*`. Nothing from the caller can end the header or add parameters.

/** `base` is the caller's name without extension (may be anything); `ext` is ours. */
export function attachment(base: string, ext: string): string {
  const cleaned = base.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, '').replace(/[\\/]/g, '_').trim().slice(0, 200) || 'file';
  const full = `${cleaned}.${ext}`;
  const ascii = full.replace(/[^\x20-\x7e]/g, '_').replace(/["\\%;]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${rfc5987(full)}`;
}

function rfc5987(s: string): string {
  return encodeURIComponent(s).replace(/['()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/** A value that is safe in any HTTP header: printable ASCII only, at most `max` characters. */
export function headerSafe(s: string, max = 512): string {
  return s.replace(/[^\x20-\x7e]/g, '?').slice(0, max);
}
