// Unguessable identifiers: viewer routes are authorized by the session id alone.
import { randomBytes } from 'node:crypto';

/** 384 random bits, URL-safe (64 characters), like the vendor's long session ids. */
export const newSessionId = (): string => randomBytes(48).toString('base64url');

/** 128 random bits, URL-safe (22 characters), the size of the vendor's work file ids. */
export const newWorkFileId = (): string => randomBytes(16).toString('base64url');

/** Ids Quire issued are base64url; anything else cannot name a stored object. */
export const isWellFormedId = (id: string): boolean => /^[A-Za-z0-9_-]{16,128}$/.test(id);
