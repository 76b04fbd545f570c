// The Office Integrator parameters: JSON objects sent as text parts, checked key by key. A wrong
// value is 1831 (parameter_name + key_name), an unknown permission key 1832, a missing mandatory
// parameter 1837. Other objects ignore keys they do not know (the vendor adds keys over time; the
// SDK never sends unknown ones), so only permissions, whose keys gate what a user may do, is strict.
import { type DocumentDefaults, PAPER_SIZES, lengthToTwips } from '../../documents/blank-docx.ts';
import { type ConvertFormat, ConvertFormats } from '../../documents/convert.ts';
import { type TextWatermark, WATERMARK_DEFAULTS, type WatermarkOrientation } from '../../documents/watermark.ts';
import { invalidName, invalidValue, missingParameter } from '../../domain/office-errors.ts';
import type { UserInfo } from '../../domain/office-documents.ts';

type Json = Record<string, unknown>;

type Rule =
  | { t: 'string'; max?: number; pattern?: RegExp; oneOf?: readonly string[]; check?: (v: string) => boolean; hint?: string }
  | { t: 'number'; min: number; max: number; integer?: boolean }
  | { t: 'boolean' }
  | { t: 'map'; header?: boolean };

const LANGUAGE = /^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8}){0,3}$/;
const SAFE_TEXT = /^[^\u0000-\u001f\u007f]*$/;
const SHOW_HIDE = ['show', 'hide'] as const;

export const PERMISSION_KEYS = [
  'document.export',
  'document.print',
  'document.edit',
  'review.changes.resolve',
  'review.comment',
  'collab.chat',
  'document.pausecollaboration',
  'document.fill',
] as const;

/** A text part holding a JSON object; undefined when absent. */
export function jsonField(fields: Map<string, string>, name: string): Json | undefined {
  const raw = fields.get(name);
  if (raw === undefined || raw.trim() === '') return undefined;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    throw invalidValue(name, `${name} must be a JSON object`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalidValue(name, `${name} must be a JSON object`);
  return v as Json;
}

/** Checks the known keys of `obj` against `rules`; returns only those, normalised. */
function check(param: string, obj: Json, rules: Record<string, Rule>, strict = false): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(obj)) {
    // Own rules only: "constructor" or "toString" must not find Object.prototype's and pass unchecked.
    const rule = Object.hasOwn(rules, key) ? rules[key] : undefined;
    if (!rule) {
      if (strict) throw invalidName(param, key);
      continue;
    }
    if (value === null || value === undefined) continue;
    out[key] = checkValue(param, key, value, rule);
  }
  return out;
}

function checkValue(param: string, key: string | undefined, value: unknown, rule: Rule): unknown {
  const bad = (expected: string) => invalidValue(param, `${key === undefined ? param : `${param}.${key}`} must be ${expected}`, key);
  switch (rule.t) {
    case 'string': {
      // Numbers are accepted where the vendor's examples sometimes send them (user_id).
      if (typeof value !== 'string' && typeof value !== 'number') throw bad('a string');
      let s = String(value).trim();
      if (rule.oneOf) {
        s = s.toLowerCase();
        if (!rule.oneOf.includes(s)) throw bad(`one of ${rule.oneOf.join(', ')}`);
      }
      if (s.length > (rule.max ?? 1024) || !SAFE_TEXT.test(s)) throw bad(`text of at most ${rule.max ?? 1024} characters`);
      if (rule.pattern && !rule.pattern.test(s)) throw bad(rule.hint ?? 'well formed');
      if (rule.check && !rule.check(s)) throw bad(rule.hint ?? 'well formed');
      return s;
    }
    case 'number': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
      if (!Number.isFinite(n) || n < rule.min || n > rule.max || (rule.integer && !Number.isInteger(n))) {
        throw bad(`${rule.integer ? 'a whole number' : 'a number'} from ${rule.min} to ${rule.max}`);
      }
      return n;
    }
    case 'boolean':
      if (value === true || value === 'true') return true;
      if (value === false || value === 'false') return false;
      throw bad('true or false');
    case 'map': {
      if (typeof value !== 'object' || Array.isArray(value)) throw bad('a JSON object');
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(value as Json)) {
        if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw bad('an object of strings');
        const s = String(v);
        if (rule.header && (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/.test(k) || !/^[\t\x20-\x7e]{0,4096}$/.test(s))) throw bad('an object of HTTP header names and values');
        if (!rule.header && (k.length > 256 || s.length > 4096)) throw bad('an object of short strings');
        out[k] = s;
      }
      return out;
    }
  }
}

const isHttpUrl = (s: string) => {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
};

export function userInfo(fields: Map<string, string>): UserInfo {
  const o = check('user_info', jsonField(fields, 'user_info') ?? {}, { user_id: { t: 'string', max: 256 }, display_name: { t: 'string', max: 256 } });
  return { userId: o.user_id as string | undefined, displayName: o.display_name as string | undefined };
}

export function documentInfo(fields: Map<string, string>, withId: boolean): { documentId?: string; documentName?: string } {
  const rules: Record<string, Rule> = { document_name: { t: 'string', max: 255 } };
  if (withId) rules.document_id = { t: 'string', max: 128, pattern: /^(?!\.{1,2}$)[A-Za-z0-9._~-]+$/, hint: '1 to 128 letters, digits or the characters . _ ~ -' };
  const o = check('document_info', jsonField(fields, 'document_info') ?? {}, rules);
  return {
    ...(typeof o.document_id === 'string' && o.document_id !== '' ? { documentId: o.document_id } : {}),
    ...(typeof o.document_name === 'string' && o.document_name !== '' ? { documentName: o.document_name } : {}),
  };
}

/** The settings a session keeps: permissions and the editor's options, validated. */
export function sessionSettings(fields: Map<string, string>): Json {
  const settings: Json = {};
  const permissions = jsonField(fields, 'permissions');
  if (permissions) settings.permissions = check('permissions', permissions, Object.fromEntries(PERMISSION_KEYS.map((k) => [k, { t: 'boolean' } as Rule])), true);
  const editor = jsonField(fields, 'editor_settings');
  if (editor) {
    settings.editor_settings = check('editor_settings', editor, {
      unit: { t: 'string', oneOf: ['in', 'mm'] },
      language: { t: 'string', max: 35, pattern: LANGUAGE, hint: 'a language code such as en or en-US' },
      view: { t: 'string', oneOf: ['pageview', 'webview'] },
    });
  }
  const ui = jsonField(fields, 'ui_options');
  if (ui) {
    settings.ui_options = check('ui_options', ui, {
      save_button: { t: 'string', oneOf: SHOW_HIDE },
      chat_panel: { t: 'string', oneOf: SHOW_HIDE },
      file_menu: { t: 'string', oneOf: SHOW_HIDE },
      dark_mode: { t: 'string', oneOf: SHOW_HIDE },
    });
  }
  const callback = jsonField(fields, 'callback_settings');
  if (callback) {
    settings.callback_settings = check('callback_settings', callback, {
      save_format: { t: 'string', oneOf: ['docx', 'odt', 'pdf', 'rtf', 'html', 'txt'] },
      save_url: { t: 'string', max: 8192, check: isHttpUrl, hint: 'an absolute http or https URL' },
      http_method_type: { t: 'string', oneOf: ['post', 'put'] },
      retries: { t: 'number', min: 0, max: 10, integer: true },
      timeout: { t: 'number', min: 1, max: 600_000, integer: true },
      save_url_params: { t: 'map' },
      save_url_headers: { t: 'map', header: true },
    });
  }
  return settings;
}

export function documentDefaults(fields: Map<string, string>): DocumentDefaults | undefined {
  const raw = jsonField(fields, 'document_defaults');
  if (!raw) return undefined;
  const o = check('document_defaults', raw, {
    orientation: { t: 'string', oneOf: ['portrait', 'landscape'] },
    paper_size: { t: 'string', oneOf: Object.keys(PAPER_SIZES) },
    font_name: { t: 'string', max: 100 },
    font_size: { t: 'number', min: 1, max: 1638 },
    track_changes: { t: 'string', oneOf: ['enabled', 'disabled'] },
    language: { t: 'string', max: 35, pattern: LANGUAGE, hint: 'a language code such as en-US' },
    date_format: { t: 'string', max: 64 },
  });
  const d: DocumentDefaults = {};
  if (o.orientation) d.orientation = o.orientation as DocumentDefaults['orientation'];
  if (o.paper_size) d.paperSize = o.paper_size as string;
  if (o.font_name) d.fontName = o.font_name as string;
  if (o.font_size !== undefined) d.fontSize = o.font_size as number;
  if (o.track_changes) d.trackChanges = o.track_changes as DocumentDefaults['trackChanges'];
  if (o.language) d.language = o.language as string;
  if (raw.margin !== undefined && raw.margin !== null) {
    if (typeof raw.margin !== 'object' || Array.isArray(raw.margin)) throw invalidValue('document_defaults', 'document_defaults.margin must be a JSON object', 'margin');
    const isMargin = (s: string) => {
      const twips = lengthToTwips(s);
      return twips !== undefined && twips <= 31680;
    };
    const side: Rule = { t: 'string', max: 32, check: isMargin, hint: 'a length such as 1in, 2.5cm, 20mm or 72pt (at most 22in)' };
    const m = check('document_defaults', raw.margin as Json, { top: side, left: side, bottom: side, right: side });
    d.margin = m as DocumentDefaults['margin'];
  }
  return d;
}

export interface ConvertOptions {
  format: ConvertFormat;
  documentName?: string;
  outputPassword?: string;
  includeChanges?: 'all' | 'none';
  includeComments?: 'all' | 'none';
}

const PASSWORD: Rule = { t: 'string', max: 128, pattern: /^[\x20-\x7e\u00a0-\uffff]+$/, hint: '1 to 128 printable characters' };

export function convertOptions(fields: Map<string, string>): ConvertOptions {
  const raw = jsonField(fields, 'output_options');
  if (!raw || raw.format === undefined || raw.format === null || raw.format === '') throw missingParameter('output_options', 'output_options.format is mandatory (pdf, docx, odt, rtf, html or txt)');
  const o = check('output_options', raw, {
    format: { t: 'string', oneOf: ConvertFormats },
    document_name: { t: 'string', max: 255 },
    password: PASSWORD,
    include_changes: { t: 'string', oneOf: ['all', 'none'] },
    include_comments: { t: 'string', oneOf: ['all', 'none'] },
  });
  return {
    format: o.format as ConvertFormat,
    ...(o.document_name ? { documentName: o.document_name as string } : {}),
    ...(o.password ? { outputPassword: o.password as string } : {}),
    ...(o.include_changes ? { includeChanges: o.include_changes as 'all' | 'none' } : {}),
    ...(o.include_comments ? { includeComments: o.include_comments as 'all' | 'none' } : {}),
  };
}

/** The top-level `password` of convert: the input document's. */
export function inputPassword(fields: Map<string, string>): string | undefined {
  const raw = fields.get('password');
  if (raw === undefined || raw === '') return undefined;
  return checkValue('password', undefined, raw, PASSWORD) as string;
}

export function watermarkSettings(fields: Map<string, string>): TextWatermark {
  const raw = jsonField(fields, 'watermark_settings');
  if (!raw) throw missingParameter('watermark_settings');
  const o = check('watermark_settings', raw, {
    type: { t: 'string', oneOf: ['text'] },
    text: { t: 'string', max: 500 },
    orientation: { t: 'string', oneOf: ['diagonal', 'horizontal', 'vertical'] },
    font_name: { t: 'string', max: 100 },
    font_size: { t: 'number', min: 8, max: 144 },
    font_color: { t: 'string', pattern: /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i, hint: 'a colour such as #cd4544' },
    opacity: { t: 'number', min: 0, max: 100 },
  });
  // The vendor's text may keep surrounding spaces, but not be blank.
  const text = typeof raw.text === 'string' ? raw.text : undefined;
  if (!text || text.trim() === '') throw missingParameter('watermark_settings', 'watermark_settings.text is mandatory');
  let color = (o.font_color as string | undefined)?.toLowerCase() ?? WATERMARK_DEFAULTS.color;
  if (color.length === 4) color = `#${[...color.slice(1)].map((c) => c + c).join('')}`;
  return {
    text: text.slice(0, 500),
    orientation: (o.orientation as WatermarkOrientation | undefined) ?? WATERMARK_DEFAULTS.orientation,
    fontName: (o.font_name as string | undefined) || WATERMARK_DEFAULTS.fontName,
    fontSize: (o.font_size as number | undefined) ?? WATERMARK_DEFAULTS.fontSize,
    color,
    opacity: (o.opacity as number | undefined) ?? WATERMARK_DEFAULTS.opacity,
  };
}

/** Quire's own `output_format` for watermark (the SDK has no such parameter): pdf or docx. */
export function watermarkOutputFormat(fields: Map<string, string>): 'pdf' | 'docx' | undefined {
  const raw = fields.get('output_format');
  if (raw === undefined || raw === '') return undefined;
  return checkValue('output_format', undefined, raw, { t: 'string', oneOf: ['pdf', 'docx'] }) as 'pdf' | 'docx';
}

export function compareOptions(fields: Map<string, string>): { title?: string; lang?: string } {
  const out: { title?: string; lang?: string } = {};
  const title = fields.get('title');
  if (title) out.title = checkValue('title', undefined, title, { t: 'string', max: 255 }) as string;
  const lang = fields.get('lang');
  if (lang) out.lang = checkValue('lang', undefined, lang, { t: 'string', max: 35, pattern: LANGUAGE, hint: 'a language code such as en' }) as string;
  return out;
}
