// Printing: every page's rendered image in a container that the print stylesheet alone shows, then
// the browser's print dialog. Only rendered pages are printed, never the original document.
import { el } from './dom.ts';

export async function printPages(urls: readonly string[], progress: (done: number, total: number) => void): Promise<void> {
  const root = el('div', { class: 'qv-print-root', 'aria-hidden': 'true' });
  let done = 0;
  const loads = urls.map((src) => {
    const img = el('img', { alt: '', src });
    root.append(el('div', { class: 'qv-print-page' }, img));
    return new Promise<void>((resolve) => {
      const finish = () => {
        progress(++done, urls.length);
        resolve();
      };
      img.addEventListener('load', finish, { once: true });
      img.addEventListener('error', finish, { once: true });
    });
  });
  document.body.append(root);
  document.body.classList.add('qv-printing');
  try {
    await Promise.all(loads);
    window.print();
  } finally {
    document.body.classList.remove('qv-printing');
    root.remove();
  }
}
