// Text written into the server's own small HTML pages (the viewer page, Office Integrator's link pages).

/** `s` as HTML text or attribute value: the five characters that could end either become references. */
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
