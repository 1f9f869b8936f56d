// Values generated from a route's JSON Schema (the OpenAPI document Reelm builds from its zod
// schemas): valid values that respect every constraint, and edge or invalid ones (boundaries,
// wrong types, hostile text, missing and extra fields). Seeded, so a failure can be replayed.

export type Rng = () => number;

/** mulberry32: small, fast, seeded. */
export function seeded(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number | boolean;
  exclusiveMaximum?: number | boolean;
  nullable?: boolean;
  default?: unknown;
}

const pick = <T>(rng: Rng, xs: ArrayLike<T>): T => xs[Math.floor(rng() * xs.length)]!;
const int = (rng: Rng, lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));

/** Text that must come back as text, never as markup or a crash. */
export const HOSTILE = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "'; DROP TABLE users; --",
  '\u202egnp.exe\u202c',
  'a\u0000b\u0007c\u001b[31m',
  '\ud800',
  '../../etc/passwd',
  '%00%2e%2e%2f',
  '${7*7}{{7*7}}',
  '🧨'.repeat(40),
  'x'.repeat(5000),
  ' ',
  '',
];

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A string matching the common patterns Reelm's schemas use (ids, client event ids, handles). */
function stringFor(rng: Rng, s: JsonSchema): string {
  const min = s.minLength ?? 0;
  const max = Math.min(s.maxLength ?? 40, Math.max(min, 40));
  if (s.format === 'date-time') return new Date(Date.now() - int(rng, 0, 1e9)).toISOString();
  if (s.format === 'date') return '1999-04-03';
  if (s.format === 'uri' || s.format === 'url') return 'https://example.com/x';
  if (s.format === 'email') return 'someone@example.com';
  if (s.pattern) {
    if (s.pattern.includes('0-9a-z]{26}')) return Array.from({ length: 26 }, () => pick(rng, '0123456789abcdefghjkmnpqrstvwxyz')).join('');
    if (s.pattern.includes('A-Za-z0-9_-')) return Array.from({ length: Math.max(min, 12) }, () => pick(rng, ALNUM)).join('');
  }
  const n = int(rng, min, max);
  return Array.from({ length: n }, () => pick(rng, ALNUM)).join('');
}

function numberFor(rng: Rng, s: JsonSchema, integer: boolean): number {
  const lo = typeof s.exclusiveMinimum === 'number' ? s.exclusiveMinimum + 1 : (s.minimum ?? 0);
  const hi = typeof s.exclusiveMaximum === 'number' ? s.exclusiveMaximum - 1 : (s.maximum ?? Math.max(lo, 1000));
  const v = lo + rng() * (Math.min(hi, lo + 1e6) - lo);
  return integer ? Math.round(v) : v;
}

function typeOf(s: JsonSchema): string | undefined {
  return Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
}

export function validValue(rng: Rng, s: JsonSchema, depth = 0): unknown {
  if (s.const !== undefined) return s.const;
  if (s.enum) return pick(rng, s.enum);
  const alts = s.anyOf ?? s.oneOf;
  if (alts) return validValue(rng, pick(rng, alts.filter((a) => typeOf(a) !== 'null').length ? alts.filter((a) => typeOf(a) !== 'null') : alts), depth + 1);
  if (s.allOf) return validValue(rng, Object.assign({}, ...s.allOf), depth + 1);
  if (s.nullable && rng() < 0.1) return null;
  switch (typeOf(s)) {
    case 'string':
      return stringFor(rng, s);
    case 'integer':
      return numberFor(rng, s, true);
    case 'number':
      return numberFor(rng, s, false);
    case 'boolean':
      return rng() < 0.5;
    case 'null':
      return null;
    case 'array': {
      const n = int(rng, s.minItems ?? 0, Math.min(s.maxItems ?? 3, (s.minItems ?? 0) + 3));
      return Array.from({ length: n }, () => (s.items && depth < 6 ? validValue(rng, s.items, depth + 1) : 'x'));
    }
    case 'object':
    default: {
      if (!s.properties) return typeOf(s) === 'object' ? {} : 'x';
      const out: Record<string, unknown> = {};
      for (const [k, p] of Object.entries(s.properties)) if (s.required?.includes(k) || rng() < 0.6) out[k] = validValue(rng, p, depth + 1);
      return out;
    }
  }
}

/** A value that breaks the schema or sits at its edge. */
export function edgeValue(rng: Rng, s: JsonSchema, depth = 0): unknown {
  const t = typeOf(s);
  const generic = [null, true, -1, 0, 1e308, -0, 'NaN', [], {}, HOSTILE[int(rng, 0, HOSTILE.length - 1)], 2 ** 53 + 2, '1e999'];
  if (rng() < 0.3) return pick(rng, generic);
  switch (t) {
    case 'string': {
      const max = s.maxLength ?? 64;
      return pick(rng, [
        '',
        'x'.repeat(max),
        'x'.repeat(max + 1),
        pick(rng, HOSTILE),
        'ä'.repeat(Math.max(1, Math.min(max, 200))),
        '12',
        '1999-02-30',
        'not-a-date',
        ' padded ',
      ]);
    }
    case 'integer':
    case 'number':
      return pick(rng, [s.minimum ?? 0, (s.minimum ?? 0) - 1, s.maximum ?? 1e9, (s.maximum ?? 1e9) + 1, 0.5, -1e15, 1e21, '7', Number.MAX_SAFE_INTEGER]);
    case 'boolean':
      return pick(rng, ['true', 0, 1, 'yes']);
    case 'array': {
      const n = pick(rng, [0, (s.maxItems ?? 3) + 1, Math.max(0, (s.minItems ?? 1) - 1)]);
      return Array.from({ length: Math.min(n, 600) }, () =>
        s.items && depth < 6 ? (rng() < 0.5 ? edgeValue(rng, s.items, depth + 1) : validValue(rng, s.items, depth + 1)) : 1,
      );
    }
    default: {
      if (!s.properties) return pick(rng, generic);
      const out = validValue(rng, s, depth) as Record<string, unknown>;
      const keys = Object.keys(s.properties);
      const k = pick(rng, keys);
      const mode = rng();
      if (mode < 0.3) delete out[k];
      else if (mode < 0.8) out[k] = edgeValue(rng, s.properties[k]!, depth + 1);
      else out[pick(rng, ['__proto__', 'constructor', 'extra', 'toString'])] = pick(rng, generic);
      return out;
    }
  }
}
