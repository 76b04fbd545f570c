// Errors of the image engine in the server's vocabulary.
import { QuireError } from '../../domain/errors.ts';

export const imageTooLarge = (width: number, height: number, maxPixels: number) =>
  new QuireError('processing', 'ImageTooLarge', `The image is ${width}×${height} pixels, more than the limit of ${maxPixels} pixels`, {
    details: { received: { width, height }, expected: `at most ${maxPixels} pixels` },
  });

export const couldNotConvertImage = (message: string, cause?: unknown) =>
  new QuireError('processing', 'CouldNotConvert', message, cause === undefined ? {} : { cause });
