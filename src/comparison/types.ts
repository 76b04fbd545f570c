// The comparison's public shapes. The change types are PrizmDoc's (revisionData), so the API dialect
// can hand them out unchanged.

export const ChangeTypes = [
  'ContentInserted',
  'ContentDeleted',
  'ContentReplaced',
  'PropertyChanged',
  'ParagraphNumberChanged',
  'StyleChanged',
  'ParagraphPropertyChanged',
  'TablePropertyChanged',
  'ContentMovedFrom',
  'ContentMovedTo',
  'TableCellInserted',
  'TableCellDeleted',
  'TableCellsMerged',
  'Unknown',
] as const;
export type ChangeType = (typeof ChangeTypes)[number];

/** CSS pixels at 96 dpi, origin at the page's top-left, on a page of the redline PDF. */
export interface ChangeRectangle {
  pageIndex: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Change {
  /** "1", "2", … in document order. */
  id: string;
  type: ChangeType;
  /** First and last page of the redline PDF the change is on (0-based). */
  pageIndex: number;
  endPageIndex: number;
  /** Inserted text; for a deletion the deleted text; for a format change the text it applies to. */
  text?: string;
  /** For ContentReplaced: the text it replaced. */
  originalText?: string;
  /** For a move, the id of its other half. */
  pairedChangeId?: string;
  /** Where the change's text is drawn; absent when it has none (a property of an empty paragraph). */
  rectangles?: ChangeRectangle[];
}

/** A change before it is placed on pages: a span of the redline's display text (see redline.ts). */
export interface ChangeDraft {
  type: ChangeType;
  start: number;
  end: number;
  text: string;
  originalText?: string;
  pair?: number;
}
