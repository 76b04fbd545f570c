// JSON Schema validation (ajv) turned into Quire's typed input errors, with the vendor's
// errorDetails shape: {in, at: "input.render.html5.alwaysUseRaster", expected}.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { invalidInput, missingInput, type ErrorDetails } from './errors.ts';

// No coercion, no defaults injected, no silent removal: the caller's value is checked as sent.
const ajv = new Ajv({ allErrors: false, coerceTypes: false, useDefaults: false, strict: false });

export interface Validator<T> {
  (value: unknown, where?: ErrorDetails['in'], root?: string): T;
}

export function compile<T>(schema: object): Validator<T> {
  const fn: ValidateFunction = ajv.compile(schema);
  return (value, where = 'body', root = 'input') => {
    if (fn(value)) return value as T;
    throw toError(fn.errors?.[0], where, root);
  };
}

function toError(e: ErrorObject | undefined, where: ErrorDetails['in'], root: string) {
  if (!e) return invalidInput(root, 'a valid value', where);
  const at = root + e.instancePath.split('/').slice(1).map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`)).join('');
  switch (e.keyword) {
    case 'required':
      return missingInput(`${at}.${(e.params as { missingProperty: string }).missingProperty}`, where);
    case 'type':
      return invalidInput(at, { type: (e.params as { type: string | string[] }).type }, where);
    case 'enum':
      return invalidInput(at, { enum: (e.params as { allowedValues: unknown[] }).allowedValues }, where);
    case 'additionalProperties':
      return invalidInput(`${at}.${(e.params as { additionalProperty: string }).additionalProperty}`, 'no such property', where);
    default:
      return invalidInput(at, { [e.keyword]: e.params }, where, `${at} ${e.message ?? 'is invalid'}`);
  }
}
