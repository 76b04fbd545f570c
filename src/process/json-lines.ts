// Reads a stream of newline-delimited JSON, calling `onMessage` per parsed line. Lines that are not
// JSON objects go to `onNoise` (a child may print stray text; it must not break the protocol).

export function readJsonLines(
  stream: NodeJS.ReadableStream,
  onMessage: (message: Record<string, unknown>) => void,
  onNoise: (line: string) => void = () => {},
): void {
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      if (line === '') continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        onNoise(line);
        continue;
      }
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) onMessage(parsed as Record<string, unknown>);
      else onNoise(line);
    }
  });
}

/** Keeps the last `limit` characters written to it: a child's stderr, for error causes. */
export class TextTail {
  private text = '';
  private readonly limit: number;

  constructor(limit = 8192) {
    this.limit = limit;
  }

  push(chunk: string): void {
    this.text = (this.text + chunk).slice(-this.limit);
  }

  toString(): string {
    return this.text;
  }
}
