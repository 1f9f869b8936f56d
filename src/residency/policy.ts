import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ISO_COUNTRIES } from './countries.ts';

// The residency policy: which realm is home for each country, and which
// operator runs each realm. Loaded once at start-up; any gap is fatal.

const realmName = z.string().regex(/^[a-z][a-z0-9]{1,15}$/, 'realm names are 2–16 lowercase letters or digits');
const countryCode = z.string().regex(/^[A-Z]{2}$/);

const age = z.number().int().min(0).max(21);
const teenRules = z.object({
  privateBelow: age.describe('accounts of people younger than this start private'),
  protectedBelow: age.describe(
    'younger than this: comments from followers only, no duet or reuse, no download, not in adults’ For You, no contact from strangers',
  ),
  screenTimeMinutes: z.number().int().min(1).max(1440).describe('default daily screen-time reminder'),
});
export type TeenRules = z.infer<typeof teenRules>;
const DEFAULT_TEEN_RULES: TeenRules = { privateBelow: 16, protectedBelow: 16, screenTimeMinutes: 60 };

const policyFileSchema = z.object({
  $comment: z.string().optional(),
  operators: z.record(z.string(), z.object({ name: z.string(), jurisdiction: countryCode.optional() })),
  realms: z.record(
    realmName,
    z.object({
      name: z.string(),
      operator: z.string(),
      countries: z.array(countryCode).optional(),
      otherCountries: z.boolean().optional(),
    }),
  ),
  minimumAge: z
    .object({ default: z.number().int().min(0).max(21), countries: z.record(countryCode, z.number().int().min(0).max(21)).optional() })
    .default({ default: 13 }),
  teenProtection: z.object({ default: teenRules, countries: z.record(countryCode, teenRules.partial()).optional() }).default({ default: DEFAULT_TEEN_RULES }),
});

export interface RealmInfo {
  readonly name: string;
  readonly displayName: string;
  readonly operator: string;
  readonly operatorName: string;
  readonly countries: readonly string[];
  /** Teen protection for a resident of one of this realm's countries (so a realm's own code needs no other handle on the policy). */
  readonly teenRules: (country: string) => TeenRules;
}

export class PolicyError extends Error {}

export class ResidencyPolicy {
  readonly realms: ReadonlyMap<string, RealmInfo>;
  readonly operators: ReadonlyMap<string, { name: string }>;
  readonly #homeRealmOf: ReadonlyMap<string, string>;
  readonly #minimumAge: { default: number; countries: Record<string, number> };
  readonly #teen: { default: TeenRules; countries: Record<string, Partial<TeenRules>> };

  constructor(raw: unknown) {
    const parsed = policyFileSchema.safeParse(raw);
    if (!parsed.success) {
      throw new PolicyError(`residency policy is invalid: ${z.prettifyError(parsed.error)}`);
    }
    const p = parsed.data;
    const home = new Map<string, string>();
    const fallback = Object.entries(p.realms).filter(([, r]) => r.otherCountries);
    if (fallback.length > 1) throw new PolicyError(`only one realm may take otherCountries; found ${fallback.map(([n]) => n).join(', ')}`);
    for (const [name, realm] of Object.entries(p.realms)) {
      if (!p.operators[realm.operator]) throw new PolicyError(`realm "${name}" names operator "${realm.operator}", which the policy does not define`);
      for (const c of realm.countries ?? []) {
        if (!ISO_COUNTRIES.includes(c)) throw new PolicyError(`realm "${name}" lists "${c}", which is not an ISO 3166-1 country`);
        const other = home.get(c);
        if (other) throw new PolicyError(`country ${c} is mapped to two realms: "${other}" and "${name}"`);
        home.set(c, name);
      }
    }
    const fallbackRealm = fallback[0]?.[0];
    const missing = ISO_COUNTRIES.filter((c) => !home.has(c));
    if (missing.length > 0 && !fallbackRealm) {
      throw new PolicyError(`countries with no realm: ${missing.join(', ')} (list them in a realm, or mark one realm otherCountries)`);
    }
    for (const c of missing) home.set(c, fallbackRealm!);
    if (Object.keys(p.realms).length === 0) throw new PolicyError('the policy defines no realms');

    this.#homeRealmOf = home;
    this.operators = new Map(Object.entries(p.operators).map(([k, v]) => [k, { name: v.name }]));
    this.realms = new Map(
      Object.entries(p.realms).map(([name, r]) => [
        name,
        {
          name,
          displayName: r.name,
          operator: r.operator,
          operatorName: p.operators[r.operator]!.name,
          countries: ISO_COUNTRIES.filter((c) => home.get(c) === name),
          teenRules: (country: string) => this.teenRulesFor(country),
        },
      ]),
    );
    this.#minimumAge = { default: p.minimumAge.default, countries: p.minimumAge.countries ?? {} };
    this.#teen = { default: p.teenProtection.default, countries: p.teenProtection.countries ?? {} };
  }

  static fromFile(file: string): ResidencyPolicy {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new PolicyError(`cannot read residency policy ${file}: ${(err as Error).message}`);
    }
    return new ResidencyPolicy(raw);
  }

  /** The home realm for a country, or undefined for a code that is not an ISO country. */
  homeRealmFor(country: string): string | undefined {
    return this.#homeRealmOf.get(country);
  }

  realm(name: string): RealmInfo {
    const r = this.realms.get(name);
    if (!r) throw new PolicyError(`unknown realm "${name}"`);
    return r;
  }

  minimumAgeFor(country: string): number {
    return this.#minimumAge.countries[country] ?? this.#minimumAge.default;
  }

  /** Teen protection for residents of a country (the country's entries over the default). */
  teenRulesFor(country: string): TeenRules {
    return { ...this.#teen.default, ...this.#teen.countries[country] };
  }

  realmsOfOperator(operator: string): string[] {
    return [...this.realms.values()].filter((r) => r.operator === operator).map((r) => r.name);
  }
}
