// What the LibreOffice engine writes. The filter for each (by document type) is chosen in uno-worker.py.

export const OutputFormats = ['pdf', 'docx', 'odt', 'rtf', 'html', 'txt'] as const;
export type OutputFormat = (typeof OutputFormats)[number];

export function isOutputFormat(value: string): value is OutputFormat {
  return (OutputFormats as readonly string[]).includes(value);
}

/** Outputs LibreOffice can encrypt with a password (ODF's own encryption; 7.4 does not encrypt OOXML). */
export const EncryptableFormats: readonly OutputFormat[] = ['odt'];
