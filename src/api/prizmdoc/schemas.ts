// Request bodies of the PrizmDoc routes that are not session properties.
import { compile } from '../../domain/validate.ts';
import type { SourceRef } from '../../domain/viewing-sessions.ts';

const workFileRef = {
  type: 'object',
  required: ['refType', 'fileId'],
  properties: { refType: { type: 'string', enum: ['workFile'] }, fileId: { type: 'string', minLength: 1, maxLength: 256 } },
} as const;

export const parseSourceRef = compile<SourceRef>({
  type: 'object',
  required: ['refType'],
  properties: { refType: { type: 'string', enum: ['workFile', 'comparison'] } },
  if: { properties: { refType: { const: 'comparison' } } },
  then: { required: ['original', 'revised'], properties: { original: workFileRef, revised: workFileRef } },
  else: workFileRef,
});

export interface StopNotice {
  httpStatus: number;
  endUserMessage: string;
}

export const parseStopNotice = compile<StopNotice>({
  type: 'object',
  required: ['httpStatus', 'endUserMessage'],
  properties: {
    // A stopped session must keep answering with an error, so only 4xx and 5xx are accepted.
    httpStatus: { type: 'integer', minimum: 400, maximum: 599 },
    endUserMessage: { type: 'string', maxLength: 1024 },
  },
});

export const parseStartNotice = compile<Record<string, unknown>>({ type: 'object' });
