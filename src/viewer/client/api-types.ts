// The wire shapes of the public Quire routes the viewer reads (PrizmDoc dialect). Declared here, not
// imported from the server, so the browser code depends on the API alone.

export interface PageAttributes {
  imageWidth: number;
  imageHeight: number;
  pageCount: number;
  /** Compared with the string "false", as the vendor's clients do. */
  isRaster: string;
  contentType?: string;
}

export interface DocumentAttributes {
  pageCount: number;
  pageCountConfidence: number;
}

/** [x, y, width, height] in the page's CSS-pixel space; width 0 marks a line break. */
export type CharRect = [number, number, number, number];

export interface PageText {
  number: number;
  text: string;
  rectangles: CharRect[];
  width: number;
  height: number;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface SearchHit {
  id: number;
  pageIndex: number;
  text: string;
  context: string;
  startIndex: number;
  startIndexInContext: number;
  boundingRectangle: Rect;
  lineRectangles: Rect[];
}

export interface SearchResultsAnswer {
  state: 'processing' | 'complete' | 'error' | string;
  percentComplete: number;
  results: SearchHit[];
  continueToken?: string;
  errorCode?: string;
}

export interface Change {
  id: string;
  type: string;
  pageIndex: number;
  endPageIndex: number;
  text?: string;
  originalText?: string;
  pairedChangeId?: string;
  rectangles?: (Rect & { pageIndex: number })[];
}

export interface RevisionDataAnswer {
  changes: Change[];
  continueToken?: string;
}
