// Relative advance widths (Helvetica AFM, 1/1000 em) used to split a word's box among its characters.
// pdftotext gives exact word boxes but no per-glyph positions; splitting by these widths instead of
// evenly cut the mean per-character edge error on Times and Helvetica text (see the measurement in
// page-text.ts). Characters outside printable ASCII get a typical width; wide scripts a full em.

const ASCII_FROM_SPACE = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // space ! " # $ % & ' ( ) * + , - . /
  556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0-9 : ; < = > ?
  1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // @ A-O
  667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // P-Z [ \ ] ^ _
  333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // ` a-o
  556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // p-z { | } ~
];

export function relativeWidth(codePoint: number): number {
  if (codePoint >= 32 && codePoint <= 126) return ASCII_FROM_SPACE[codePoint - 32] ?? 556;
  if (codePoint >= 0x0300 && codePoint <= 0x036f) return 0; // combining marks sit on the previous letter
  if (codePoint >= 0x2e80) return 1000; // CJK and other full-width scripts
  return 556;
}
